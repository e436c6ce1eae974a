import { setTimeout as sleep } from 'node:timers/promises';
import { loadConfig } from '../src/config/app-config.js';
import { ApiProcess } from './utils/api-process.js';
import { uniqueEmail } from './utils/users.js';
import { WorkerProcess } from './utils/worker-process.js';

/** Two API processes and two workers on one PostgreSQL and one Redis share their state. */
describe('two API processes and two workers', () => {
  const apis: ApiProcess[] = [];
  const workers: WorkerProcess[] = [];
  let adminToken: string;

  const call = async (api: number, path: string, init: RequestInit & { token?: string; json?: unknown } = {}) => {
    const headers: Record<string, string> = {};
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    if (init.json !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${apis[api].base}${path}`, {
      ...init,
      headers: { ...headers, ...(init.headers as Record<string, string>) },
      body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
  };
  const login = async (api: number, username: string, password: string) =>
    fetch(`${apis[api].base}/api/v1/login/access-token`, {
      method: 'POST',
      body: new URLSearchParams({ username, password }),
    });
  const tokenOf = async (response: Response) => ((await response.json()) as { access_token: string }).access_token;

  beforeAll(async () => {
    apis.push(...(await Promise.all([0, 1].map(() => new ApiProcess({ SHUTDOWN_DRAIN_MS: '0' }).start()))));
    workers.push(await new WorkerProcess({}).start(), await new WorkerProcess({}).start());
    const config = loadConfig(process.env);
    adminToken = await tokenOf(await login(0, config.firstSuperuser, config.firstSuperuserPassword));
  }, 60_000);

  afterAll(async () => {
    await Promise.all([...apis.map((api) => api.stop()), ...workers.map((worker) => worker.stop())]);
  });

  it("shows a write through one API in the other's cached reads at once", async () => {
    const email = uniqueEmail('multi');
    await call(0, '/api/v1/users/signup', { method: 'POST', json: { email, password: 'multi process password' } });
    const token = await tokenOf(await login(1, email, 'multi process password'));

    await call(0, '/api/v1/items/', { method: 'POST', token, json: { title: 'first' } });
    expect((await call(1, '/api/v1/items/', { token })).headers.get('x-cache')).toBe('MISS');
    expect((await call(1, '/api/v1/items/', { token })).headers.get('x-cache')).toBe('HIT');
    await call(0, '/api/v1/items/', { method: 'POST', token, json: { title: 'second' } });
    const after = await call(1, '/api/v1/items/', { token });
    expect(after.body.data.map((item: { title: string }) => item.title)).toEqual(['second', 'first']);
  });

  describe('ends access in the other process at once, though it keeps warm tokens in memory', () => {
    const signedIn = async (label: string) => {
      const email = uniqueEmail(label);
      const signup = await call(0, '/api/v1/users/signup', {
        method: 'POST',
        json: { email, password: 'revocation password' },
      });
      const token = await tokenOf(await login(0, email, 'revocation password'));
      // Warm in process 1: its token, user and session are now served from memory there.
      for (let i = 0; i < 3; i++) expect((await call(1, '/api/v1/users/me', { token })).status).toBe(200);
      return { id: signup.body.id as string, email, token };
    };

    it('after a logout', async () => {
      const user = await signedIn('logout');
      expect((await call(0, '/api/v1/logout', { method: 'POST', token: user.token })).status).toBe(204);
      expect(await call(1, '/api/v1/users/me', { token: user.token })).toMatchObject({
        status: 401,
        body: { detail: 'Could not validate credentials' },
      });
    });

    it('after a deactivation by a superuser', async () => {
      const user = await signedIn('deactivated');
      expect(
        (await call(0, `/api/v1/users/${user.id}`, { method: 'PATCH', token: adminToken, json: { is_active: false } }))
          .status,
      ).toBe(200);
      expect(await call(1, '/api/v1/users/me', { token: user.token })).toMatchObject({
        status: 403,
        body: { detail: 'Inactive user' },
      });
    });

    it('after a password change, for every other session', async () => {
      const user = await signedIn('password');
      const other = await tokenOf(await login(1, user.email, 'revocation password'));
      expect((await call(1, '/api/v1/users/me', { token: other })).status).toBe(200);
      const changed = await call(0, '/api/v1/users/me/password', {
        method: 'PATCH',
        token: user.token,
        json: { current_password: 'revocation password', new_password: 'a brand new password' },
      });
      expect(changed.status).toBe(200);
      expect((await call(1, '/api/v1/users/me', { token: other })).status).toBe(401);
      expect((await call(1, '/api/v1/users/me', { token: user.token })).status).toBe(200);
    });

    it('after a profile change, showing the new data', async () => {
      const user = await signedIn('profile');
      expect(
        (
          await call(0, '/api/v1/users/me', {
            method: 'PATCH',
            token: user.token,
            json: { full_name: 'Renamed Elsewhere' },
          })
        ).status,
      ).toBe(200);
      expect((await call(1, '/api/v1/users/me', { token: user.token })).body).toMatchObject({
        full_name: 'Renamed Elsewhere',
      });
    });

    it('after the user is deleted', async () => {
      const user = await signedIn('deleted');
      expect((await call(0, `/api/v1/users/${user.id}`, { method: 'DELETE', token: adminToken })).status).toBe(204);
      expect((await call(1, '/api/v1/users/me', { token: user.token })).status).toBe(401);
    });
  });

  it('ends an API key in the other process at once when it is revoked, or its user deactivated', async () => {
    const keyOf = async (token: string) => {
      const created = await call(0, '/api/v1/users/me/api-keys', { method: 'POST', token, json: { name: 'cron' } });
      expect(created.status).toBe(201);
      return created.body as { id: string; key: string };
    };
    const viaKey = (api: number, key: string) => call(api, '/api/v1/users/me', { headers: { 'X-API-Key': key } });

    const email = uniqueEmail('key');
    const signup = await call(0, '/api/v1/users/signup', {
      method: 'POST',
      json: { email, password: 'api key password' },
    });
    const token = await tokenOf(await login(0, email, 'api key password'));
    const revoked = await keyOf(token);
    const kept = await keyOf(token);
    for (let i = 0; i < 3; i++) expect((await viaKey(1, revoked.key)).status).toBe(200);

    expect((await call(0, `/api/v1/users/me/api-keys/${revoked.id}`, { method: 'DELETE', token })).status).toBe(204);
    expect(await viaKey(1, revoked.key)).toMatchObject({
      status: 401,
      body: { detail: 'Could not validate credentials' },
    });
    expect((await viaKey(1, kept.key)).status).toBe(200);

    expect(
      (
        await call(0, `/api/v1/users/${signup.body.id}`, {
          method: 'PATCH',
          token: adminToken,
          json: { is_active: false },
        })
      ).status,
    ).toBe(200);
    expect(await viaKey(1, kept.key)).toMatchObject({ status: 403, body: { detail: 'Inactive user' } });
  });

  it('counts failed logins across both processes', async () => {
    const email = uniqueEmail('limited');
    for (let i = 0; i < 10; i++) expect((await login(i % 2, email, 'wrong password')).status).toBe(400);
    expect((await login(0, email, 'wrong password')).status).toBe(429);
    expect((await login(1, email, 'wrong password')).status).toBe(429);
  });

  it('has every job enqueued through either API processed exactly once by one of the workers', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const response = await call(i % 2, '/api/v1/utils/test-queue/', {
        method: 'POST',
        token: adminToken,
        json: { message: `m${i}` },
      });
      expect(response.status).toBe(202);
      ids.push(response.body.job_id);
    }
    const deadline = Date.now() + 20_000;
    const states = new Map<string, { state: string; attempts: number; result: unknown }>();
    while (states.size < ids.length && Date.now() < deadline) {
      for (const id of ids) {
        if (states.has(id)) continue;
        const job = await call(1, `/api/v1/jobs/${id}`, { token: adminToken });
        if (job.body.state === 'completed') states.set(id, job.body);
      }
      await sleep(100);
    }
    expect(states.size).toBe(ids.length);
    ids.forEach((id, i) => expect(states.get(id)).toMatchObject({ attempts: 1, result: { message: `m${i}` } }));

    const processed = ids.map((id) =>
      workers.reduce((count, worker) => count + worker.output.split(`job ${id} (echo)`).length - 1, 0),
    );
    expect(processed.every((count) => count === 1)).toBe(true);
  });
});
