import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createTestApp } from './utils/test-app.js';
import { bearer, loginAsSuperuser, signedInUser } from './utils/users.js';

describe('queue dashboard', () => {
  let app: NestFastifyApplication;
  let admin: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp();
    admin = (await loginAsSuperuser(app)).access_token;
  });

  afterAll(async () => {
    await app.close();
  });

  it('is closed to anonymous callers and normal users', async () => {
    const anonymous = await http().get('/api/v1/admin/queues').expect(401);
    expect(anonymous.body).toEqual({ detail: 'Not authenticated' });
    expect(anonymous.headers['www-authenticate']).toBe('Bearer');
    const normal = await signedInUser(app);
    expect((await http().get('/api/v1/admin/queues').set(bearer(normal.token)).expect(403)).body).toEqual({
      detail: "The user doesn't have enough privileges",
    });
    await http().get('/api/v1/admin/queues/api/queues').set('Cookie', 'queues_token=forged').expect(401);
    await http().post('/api/v1/admin/queues-session').set(bearer(normal.token)).expect(403);
  });

  it('opens for a superuser by bearer token, or by the cookie a session request sets', async () => {
    const page = await http().get('/api/v1/admin/queues').set(bearer(admin)).expect(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);

    const session = await http().post('/api/v1/admin/queues-session').set(bearer(admin)).expect(204);
    const [cookie, ...attributes] = String(session.headers['set-cookie']).split('; ');
    expect(cookie).toMatch(/^queues_token=[^;]+$/);
    expect(attributes.sort()).toEqual(['HttpOnly', 'Max-Age=1800', 'Path=/api/v1/admin/queues', 'SameSite=Strict']);
    const queues = await http().get('/api/v1/admin/queues/api/queues').set('Cookie', cookie).expect(200);
    expect(queues.body.queues.map((queue: { name: string }) => queue.name).sort()).toEqual(['echo', 'email']);
  });

  it("opens for a superuser's API key, but hands no key to a browser cookie", async () => {
    const created = await http()
      .post('/api/v1/users/me/api-keys')
      .set(bearer(admin))
      .send({ name: 'dashboard' })
      .expect(201);
    await http().get('/api/v1/admin/queues/api/queues').set('X-API-Key', created.body.key).expect(200);
    const session = await http().post('/api/v1/admin/queues-session').set('X-API-Key', created.body.key).expect(403);
    expect(session.headers['set-cookie']).toBeUndefined();
    const readOnly = await http()
      .post('/api/v1/users/me/api-keys')
      .set(bearer(admin))
      .send({ name: 'viewer', read_only: true })
      .expect(201);
    await http().get('/api/v1/admin/queues/api/queues').set('X-API-Key', readOnly.body.key).expect(200);
    await http()
      .put('/api/v1/admin/queues/api/queues/email/retry/failed')
      .set('X-API-Key', readOnly.body.key)
      .expect(403);
  });
});
