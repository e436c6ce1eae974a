import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../scripts/local-services.js';

/** The built API (`dist/src/main.js`) as a real process: its logs and its shutdown. */
describe('API process', () => {
  let api: ChildProcess;
  let output = '';
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = spawn(process.execPath, [join(import.meta.dirname, '..', 'dist', 'src', 'main.js')], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    api.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    api.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 20_000;
    for (;;) {
      const ready = await fetch(`${base}/health/live`).then((r) => r.ok, () => false);
      if (ready) break;
      if (Date.now() > deadline || api.exitCode !== null) throw new Error(`API did not start: ${output.slice(-2000)}`);
      await sleep(100);
    }
  }, 30_000);

  afterAll(() => {
    if (api.exitCode === null) api.kill('SIGKILL');
  });

  it('logs one JSON line per request with its request id, secrets redacted', async () => {
    const secretToken = 'eyJhbGciOiJIUzI1NiJ9.secret-payload.secret-signature';
    const response = await fetch(`${base}/api/v1/users/me`, {
      headers: { Authorization: `Bearer ${secretToken}`, 'X-Request-ID': 'log-test-42', Cookie: 'session=cookie-secret' },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-request-id')).toBe('log-test-42');
    await sleep(200);

    const lines = output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const entry = lines.find((line) => (line.req as { id?: string } | undefined)?.id === 'log-test-42');
    expect(entry).toMatchObject({ level: 40, req: { method: 'GET', url: '/api/v1/users/me' }, res: { statusCode: 401 } });
    expect(JSON.stringify(entry)).toContain('[redacted]');
    expect(output).not.toContain('secret-payload');
    expect(output).not.toContain('cookie-secret');
  });

  it('exits 0 on SIGTERM after closing', async () => {
    const exited = new Promise<number | null>((resolve) => api.once('exit', (code) => resolve(code)));
    api.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 15_000);
});
