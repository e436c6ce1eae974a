import { randomUUID } from 'node:crypto';
import { loadConfig } from '../src/config/app-config.js';
import { ApiProcess } from './utils/api-process.js';
import { WorkerProcess } from './utils/worker-process.js';

/** The JSON log lines of a process that mention `text`. */
const linesWith = (output: string, text: string): Record<string, unknown>[] =>
  output
    .split('\n')
    .filter((line) => line.startsWith('{') && line.includes(text))
    .map((line) => JSON.parse(line) as Record<string, unknown>);

/** The request id follows a request into the services' log lines, its jobs, and the worker's lines for them. */
describe('request context', () => {
  let api: ApiProcess;
  let worker: WorkerProcess;
  let adminToken: string;

  beforeAll(async () => {
    [api, worker] = await Promise.all([new ApiProcess({ LOG_LEVEL: 'debug' }).start(), new WorkerProcess({}).start()]);
    const config = loadConfig(process.env);
    const login = await fetch(`${api.base}/api/v1/login/access-token`, {
      method: 'POST',
      body: new URLSearchParams({ username: config.firstSuperuser, password: config.firstSuperuserPassword }),
    });
    adminToken = ((await login.json()) as { access_token: string }).access_token;
  }, 60_000);

  afterAll(async () => {
    await Promise.all([api.stop(), worker.stop()]);
  });

  it('puts the request id on the lines a service writes while serving the request', async () => {
    const requestId = randomUUID();
    const response = await fetch(`${api.base}/api/v1/items/?limit=7`, {
      headers: { Authorization: `Bearer ${adminToken}`, 'X-Request-ID': requestId },
    });
    expect(response.status).toBe(200);
    await api.waitForOutput('miss /api/v1/items/?limit=7');
    const lines = linesWith(api.output, 'miss /api/v1/items/?limit=7');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatchObject({ request_id: requestId, context: expect.any(String) });
    // Lines outside any request name none.
    expect(linesWith(api.output, 'API listening')[0]).not.toHaveProperty('request_id');
  });

  it("queues the request's id with its job, and the worker's lines for the job carry it", async () => {
    const requestId = randomUUID();
    const response = await fetch(`${api.base}/api/v1/utils/test-queue/`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${adminToken}`, 'Content-Type': 'application/json', 'X-Request-ID': requestId },
      body: JSON.stringify({ message: 'traced' }),
    });
    expect(response.status).toBe(202);
    const { job_id: jobId } = (await response.json()) as { job_id: string };
    await worker.waitForOutput(`job ${jobId} (echo)`, 10_000);
    expect(linesWith(worker.output, `job ${jobId} (echo)`)[0]).toMatchObject({ request_id: requestId });
  });

  it('keeps one request_id field on the request line', async () => {
    const requestId = randomUUID();
    await fetch(`${api.base}/api/v1/items/${randomUUID()}`, { headers: { 'X-Request-ID': requestId } });
    await api.waitForOutput(requestId);
    const raw = api.output.split('\n').find((line) => line.includes(requestId) && line.includes('"res"'));
    expect(raw?.split('"request_id"').length).toBe(2);
  });
});
