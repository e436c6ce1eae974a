import { setTimeout as sleep } from 'node:timers/promises';
import { ApiProcess } from './utils/api-process.js';

/** The built API (`dist/src/main.js`) as a real process: its logs and its shutdown. */
describe('API process', () => {
  const api = new ApiProcess({ LOG_LEVEL: 'info' });

  beforeAll(() => api.start('/health/live'), 30_000);

  afterAll(() => api.stop('SIGKILL'));

  it('logs one JSON line per request with its request id, secrets redacted', async () => {
    const secretToken = 'eyJhbGciOiJIUzI1NiJ9.secret-payload.secret-signature';
    const response = await fetch(`${api.base}/api/v1/users/me`, {
      headers: {
        Authorization: `Bearer ${secretToken}`,
        'X-Request-ID': 'log-test-42',
        Cookie: 'session=cookie-secret',
      },
    });
    expect(response.status).toBe(401);
    expect(response.headers.get('x-request-id')).toBe('log-test-42');
    await sleep(200);

    const lines = api.output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const entry = lines.find((line) => (line.req as { id?: string } | undefined)?.id === 'log-test-42');
    expect(entry).toMatchObject({
      level: 40,
      request_id: 'log-test-42',
      req: { method: 'GET', url: '/api/v1/users/me' },
      res: { statusCode: 401 },
    });
    expect(JSON.stringify(entry)).toContain('[redacted]');
    expect(api.output).not.toContain('secret-payload');
    expect(api.output).not.toContain('cookie-secret');
  });

  it('exits 0 on SIGTERM after closing', async () => {
    expect(await api.stop('SIGTERM')).toBe(0);
  }, 15_000);
});
