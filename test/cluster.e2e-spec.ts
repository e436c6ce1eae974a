import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { ApiProcess } from './utils/api-process.js';

/** The API processes the primary has forked, by pid. */
function apiProcessesOf(primary: number): number[] {
  return readFileSync(`/proc/${primary}/task/${primary}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
}

async function until<T>(read: () => T, done: (value: T) => boolean, withinMs: number): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = read();
    if (done(value) || Date.now() > deadline) return value;
    await sleep(100);
  }
}

/** WEB_CONCURRENCY=2: two API processes behind one port, counted as one in /metrics, kept at two. */
describe('WEB_CONCURRENCY', () => {
  let api: ApiProcess;

  beforeAll(async () => {
    api = await new ApiProcess({ WEB_CONCURRENCY: '2', SHUTDOWN_DRAIN_MS: '0' }).start('/health/ready', 40_000);
    await until(
      () => apiProcessesOf(api.pid!),
      (pids) => pids.length === 2,
      20_000,
    );
    // A forked process answers the primary's metrics requests only once it has started; until
    // then a scrape waits for it. The tests begin when both have.
    const deadline = Date.now() + 30_000;
    while ((await fetch(`${api.base}/metrics`)).status !== 200 && Date.now() < deadline) await sleep(200);
  }, 90_000);

  afterAll(async () => {
    if (api.running) await api.stop();
  });

  it('serves from two processes, and /metrics adds up what both served whichever one answers it', async () => {
    expect(apiProcessesOf(api.pid!)).toHaveLength(2);
    const before = await servedProbes();
    await Promise.all(Array.from({ length: 40 }, () => fetch(`${api.base}/health/live`).then((r) => r.text())));
    for (let scrape = 0; scrape < 4; scrape++) expect((await servedProbes()) - before).toBe(40);
  });

  it('replaces a process that dies, and keeps answering with the other meanwhile', async () => {
    const [victim] = apiProcessesOf(api.pid!);
    process.kill(victim, 'SIGKILL');
    await until(
      () => apiProcessesOf(api.pid!),
      (now) => !now.includes(victim),
      10_000,
    );
    const statuses = await Promise.all(
      Array.from({ length: 20 }, () => fetch(`${api.base}/health/live`).then((r) => r.status)),
    );
    expect(statuses.every((status) => status === 200)).toBe(true);
    const pids = await until(
      () => apiProcessesOf(api.pid!),
      (now) => now.length === 2 && !now.includes(victim),
      20_000,
    );
    expect(pids).toHaveLength(2);
    expect(pids).not.toContain(victim);
  }, 30_000);

  it('stops every process on SIGTERM and exits 0', async () => {
    const pids = apiProcessesOf(api.pid!);
    const code = await api.stop('SIGTERM');
    // The processes' output, to tell why when one did not close cleanly.
    expect({ code, output: code === 0 ? '' : api.output.slice(-3000) }).toEqual({ code: 0, output: '' });
    for (const pid of pids) expect(() => process.kill(pid, 0)).toThrow();
  }, 30_000);

  /** The /health/live requests the API has answered 200, by its /metrics. */
  async function servedProbes(): Promise<number> {
    const text = await (await fetch(`${api.base}/metrics`)).text();
    const line = text
      .split('\n')
      .find(
        (l) =>
          l.startsWith('http_request_duration_seconds_count{') &&
          l.includes('route="/health/live"') &&
          l.includes('status="200"'),
      );
    return line ? Number(line.split(' ').at(-1)) : 0;
  }
});
