import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createTestApp } from './utils/test-app.js';
import { createUser, type TestUser, uniqueEmail } from './utils/users.js';

/** Each app here counts in a Redis prefix of its own, apart from the rest of the suite. */
describe('login rate limiting', () => {
  const apps: NestFastifyApplication[] = [];
  const isolated = async (overrides: Record<string, unknown> = {}) => {
    const app = await createTestApp({ redisKeyPrefix: `test-limit-${randomUUID()}`, ...overrides });
    apps.push(app);
    return app;
  };
  const attempt = (app: NestFastifyApplication, username: string, password: string) =>
    request(app.getHttpServer()).post('/api/v1/login/access-token').type('form').send({ username, password });

  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  it('answers 429 with Retry-After after 10 failures for one email, even with the right password', async () => {
    const app = await isolated();
    const user: TestUser = await createUser(app);
    for (let i = 0; i < 10; i++) await attempt(app, user.email, `wrong-${i}`).expect(400);

    const blocked = await attempt(app, user.email.toUpperCase(), user.password).expect(429);
    const retryAfter = Number(blocked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(blocked.body.detail).toEqual(expect.any(String));

    const other = await createUser(app);
    await attempt(app, other.email, other.password).expect(200);
  });

  it('limits unknown emails exactly like known ones', async () => {
    const app = await isolated();
    const unknown = uniqueEmail('ghost');
    for (let i = 0; i < 10; i++) await attempt(app, unknown, 'wrong-password').expect(400);
    const blocked = await attempt(app, unknown, 'wrong-password').expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('resets the email count on a successful login', async () => {
    const app = await isolated();
    const user = await createUser(app);
    for (let i = 0; i < 9; i++) await attempt(app, user.email, 'wrong-password').expect(400);
    await attempt(app, user.email, user.password).expect(200);
    for (let i = 0; i < 9; i++) await attempt(app, user.email, 'wrong-password').expect(400);
    await attempt(app, user.email, user.password).expect(200);
  });

  it('limits failures per client address across emails', async () => {
    const app = await isolated({ loginMaxFailuresPerIp: 3 });
    for (let i = 0; i < 3; i++) await attempt(app, uniqueEmail('spray'), 'wrong-password').expect(400);
    await attempt(app, uniqueEmail('spray'), 'wrong-password').expect(429);
  });

  it('counts per client address from X-Forwarded-For when TRUST_PROXY is on', async () => {
    const app = await isolated({ loginMaxFailuresPerIp: 3, trustProxy: true });
    const from = (ip: string, email: string) =>
      request(app.getHttpServer())
        .post('/api/v1/login/access-token')
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ username: email, password: 'wrong' });
    for (let i = 0; i < 3; i++) await from('203.0.113.7', uniqueEmail('proxied')).expect(400);
    await from('203.0.113.7', uniqueEmail('proxied')).expect(429);
    await from('203.0.113.8', uniqueEmail('proxied')).expect(400);
  });

  it('limits password recovery requests per email, with Retry-After', async () => {
    const app = await isolated();
    const email = uniqueEmail('recover');
    for (let i = 0; i < 5; i++)
      await request(app.getHttpServer()).post(`/api/v1/password-recovery/${email}`).expect(200);
    const blocked = await request(app.getHttpServer()).post(`/api/v1/password-recovery/${email}`).expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(blocked.headers['retry-after'])).toBeLessThanOrEqual(3600);
    await request(app.getHttpServer())
      .post(`/api/v1/password-recovery/${uniqueEmail('other')}`)
      .expect(200);
  });

  it('holds across two API processes sharing Redis', async () => {
    const prefix = `test-limit-${randomUUID()}`;
    const first = await createTestApp({ redisKeyPrefix: prefix });
    const second = await createTestApp({ redisKeyPrefix: prefix });
    apps.push(first, second);
    const user = await createUser(first);
    for (let i = 0; i < 10; i++) await attempt(i % 2 ? first : second, user.email, 'wrong-password').expect(400);
    await attempt(first, user.email, user.password).expect(429);
    await attempt(second, user.email, user.password).expect(429);
  });
});
