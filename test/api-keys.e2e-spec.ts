import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp } from './utils/test-app.js';
import { bearer, createUser, login, loginAsSuperuser, signedInUser } from './utils/users.js';

const KEYS = '/api/v1/users/me/api-keys';
const INVALID = { detail: 'Could not validate credentials' };

describe('API keys', () => {
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());
  const withKey = (key: string) => ({ 'X-API-Key': key });
  /** Gives user `userId` `count` keys straight in the table, faster than through the API. */
  const insertKeys = (userId: string, count: number) =>
    app
      .get(DataSource)
      .query(
        `INSERT INTO api_keys (user_id, name, prefix, key_hash) SELECT $1, 'bulk', 'ak_bulk', md5(random()::text) FROM generate_series(1, $2)`,
        [userId, count],
      );

  /** A new normal user with a fresh access token and an API key made with it. */
  const userWithKey = async (fields: Record<string, unknown> = {}) => {
    const user = await signedInUser(app);
    const created = await http()
      .post(KEYS)
      .set(bearer(user.token))
      .send({ name: 'script', ...fields })
      .expect(201);
    return { ...user, key: created.body.key as string, keyId: created.body.id as string, created: created.body };
  };

  beforeAll(async () => {
    app = await createTestApp();
  });

  afterAll(async () => {
    await app.close();
  });

  describe('creating and listing', () => {
    it('shows the secret once, at creation, and never in lists', async () => {
      const { token, key, created, id } = await userWithKey({
        name: 'nightly export',
        expires_at: '2099-01-01T00:00:00Z',
      });
      expect(key).toMatch(/^ak_[A-Za-z0-9_-]{43}$/);
      expect(created).toEqual({
        id: expect.any(String),
        user_id: id,
        name: 'nightly export',
        prefix: key.slice(0, 11),
        read_only: false,
        created_at: expect.any(String),
        last_used_at: null,
        expires_at: '2099-01-01T00:00:00.000Z',
        key,
      });

      const list = await http().get(KEYS).set(bearer(token)).expect(200);
      expect(list.body).toEqual({ data: [{ ...created, key: undefined }], count: 1 });
      expect(list.body.data[0]).not.toHaveProperty('key');
      expect(JSON.stringify(list.body)).not.toContain(key);
      expect(list.headers['cache-control']).toBe('private, no-store');
    });

    it('stores only a hash of the key', async () => {
      const { key, keyId } = await userWithKey();
      const [row] = await app.get(DataSource).query('SELECT * FROM api_keys WHERE id = $1', [keyId]);
      expect(JSON.stringify(row)).not.toContain(key);
      expect(JSON.stringify(row)).not.toContain(key.slice(11));
      expect(row.key_hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    });

    it('lists newest first with skip and limit, and counts them all', async () => {
      const user = await signedInUser(app);
      for (const name of ['first', 'second', 'third'])
        await http().post(KEYS).set(bearer(user.token)).send({ name }).expect(201);
      const page = await http().get(`${KEYS}?skip=1&limit=1`).set(bearer(user.token)).expect(200);
      expect(page.body.count).toBe(3);
      expect(page.body.data.map((key: { name: string }) => key.name)).toEqual(['second']);
      await http().get(`${KEYS}?limit=0`).set(bearer(user.token)).expect(422);
    });

    it('refuses bad input with 422 and ignores fields a caller may not set', async () => {
      const { token, id } = await signedInUser(app);
      const missing = await http().post(KEYS).set(bearer(token)).send({}).expect(422);
      expect(missing.body.detail[0]).toMatchObject({ type: 'missing', loc: ['body', 'name'] });
      await http().post(KEYS).set(bearer(token)).send({ name: '' }).expect(422);
      await http()
        .post(KEYS)
        .set(bearer(token))
        .send({ name: 'x'.repeat(101) })
        .expect(422);
      await http().post(KEYS).set(bearer(token)).send({ name: 'n', read_only: 'yes' }).expect(422);
      const past = await http()
        .post(KEYS)
        .set(bearer(token))
        .send({ name: 'n', expires_at: '2020-01-01T00:00:00Z' })
        .expect(422);
      expect(past.body.detail[0]).toMatchObject({
        type: 'datetime_future',
        loc: ['body', 'expires_at'],
        msg: 'Input should be in the future',
      });
      for (const expiresAt of ['tomorrow', '2099-01-01', '2099-01-01T00:00:00', '2099-13-45T00:00:00Z', 12345]) {
        const bad = await http().post(KEYS).set(bearer(token)).send({ name: 'n', expires_at: expiresAt }).expect(422);
        expect(bad.body.detail[0]).toMatchObject({ type: 'datetime_from_date_parsing', loc: ['body', 'expires_at'] });
      }

      const other = await createUser(app);
      const sneaky = await http()
        .post(KEYS)
        .set(bearer(token))
        .send({
          name: 'n',
          user_id: other.id,
          prefix: 'ak_chosen',
          key: 'ak_chosen',
          key_hash: 'x',
          last_used_at: '2030-01-01T00:00:00Z',
        })
        .expect(201);
      expect(sneaky.body).toMatchObject({ user_id: id, last_used_at: null });
      expect(sneaky.body.key).not.toBe('ak_chosen');
      expect(sneaky.body.prefix).toBe(sneaky.body.key.slice(0, 11));
    });

    it('limits a user to 100 keys', async () => {
      const { token, id } = await signedInUser(app);
      await insertKeys(id, 100);
      const refused = await http().post(KEYS).set(bearer(token)).send({ name: 'one too many' }).expect(400);
      expect(refused.body).toEqual({ detail: 'A user can have at most 100 API keys' });
    });

    it('holds the limit under a parallel burst: 20 requests for the last 5 places issue exactly 5 keys', async () => {
      const { token, id } = await signedInUser(app);
      await insertKeys(id, 95);
      const statuses = await Promise.all(
        Array.from({ length: 20 }, (_, n) =>
          http()
            .post(KEYS)
            .set(bearer(token))
            .send({ name: `burst ${n}` }),
        ),
      ).then((responses) => responses.map((response) => response.status));
      expect(statuses.filter((status) => status === 201)).toHaveLength(5);
      expect(statuses.filter((status) => status === 400)).toHaveLength(15);
      const [{ count }] = await app
        .get(DataSource)
        .query('SELECT count(*)::int AS count FROM api_keys WHERE user_id = $1', [id]);
      expect(count).toBe(100);
    });
  });

  describe('authenticating with X-API-Key', () => {
    it('acts as the key owner on every route a token would', async () => {
      const { id, key } = await userWithKey();
      const me = await http().get('/api/v1/users/me').set(withKey(key)).expect(200);
      expect(me.body.id).toBe(id);
      const item = await http().post('/api/v1/items/').set(withKey(key)).send({ title: 'by script' }).expect(201);
      expect(item.body.owner_id).toBe(id);
      await http().put(`/api/v1/items/${item.body.id}`).set(withKey(key)).send({ title: 'renamed' }).expect(200);
      const list = await http().get('/api/v1/items/').set(withKey(key)).expect(200);
      expect(list.body.data.map((row: { title: string }) => row.title)).toEqual(['renamed']);
      await http().post('/api/v1/login/test-token').set(withKey(key)).expect(200);
      await http().delete(`/api/v1/items/${item.body.id}`).set(withKey(key)).expect(204);
    });

    it('keeps the same guards: a normal user key gets 403 on superuser routes, a superuser key passes', async () => {
      const { key } = await userWithKey();
      const denied = await http().get('/api/v1/users/').set(withKey(key)).expect(403);
      expect(denied.body).toEqual({ detail: "The user doesn't have enough privileges" });

      const admin = await loginAsSuperuser(app);
      const adminKey = (
        await http().post(KEYS).set(bearer(admin.access_token)).send({ name: 'admin script' }).expect(201)
      ).body;
      await http().get('/api/v1/users/').set(withKey(adminKey.key)).expect(200);
      await http().delete(`${KEYS}/${adminKey.id}`).set(withKey(adminKey.key)).expect(204);
    });

    it('records when a key was last used', async () => {
      const { token, key } = await userWithKey();
      const before = Date.now();
      await http().get('/api/v1/users/me').set(withKey(key)).expect(200);
      const lastUsed = async () =>
        ((await http().get(KEYS).set(bearer(token)).expect(200)).body.data[0] as { id: string; last_used_at: string })
          .last_used_at;
      const first = await lastUsed();
      expect(Date.parse(first)).toBeGreaterThanOrEqual(before - 1000);

      // Within the minute, further uses write nothing; once the recorded time is older, the next use does.
      await http().get('/api/v1/users/me').set(withKey(key)).expect(200);
      expect(await lastUsed()).toBe(first);
      await app
        .get(DataSource)
        .query(`UPDATE api_keys SET last_used_at = now() - interval '61 seconds' WHERE prefix = $1`, [
          key.slice(0, 11),
        ]);
      await http().get('/api/v1/users/me').set(withKey(key)).expect(200);
      expect(Date.parse(await lastUsed())).toBeGreaterThanOrEqual(before - 1000);
      expect(await lastUsed()).not.toBe(first);
    });

    it('lets a read-only key read and nothing else', async () => {
      const { token, key } = await userWithKey({ read_only: true });
      const item = await http().post('/api/v1/items/').set(bearer(token)).send({ title: 'mine' }).expect(201);
      await http().get(`/api/v1/items/${item.body.id}`).set(withKey(key)).expect(200);
      await http().get(KEYS).set(withKey(key)).expect(200);
      const writes = [
        http().post('/api/v1/items/').send({ title: 'no' }),
        http().put(`/api/v1/items/${item.body.id}`).send({ title: 'no' }),
        http().delete(`/api/v1/items/${item.body.id}`),
        http().patch('/api/v1/users/me').send({ full_name: 'no' }),
        http().post(KEYS).send({ name: 'escalate' }),
      ];
      for (const write of writes)
        expect((await write.set(withKey(key))).body).toEqual({ detail: 'This API key is read-only' });
      const unchanged = await http().get(`/api/v1/items/${item.body.id}`).set(bearer(token)).expect(200);
      expect(unchanged.body.title).toBe('mine');
    });

    it('answers a revoked, expired, unknown or malformed key exactly like a bad token', async () => {
      const { token, key, keyId } = await userWithKey();
      const expiring = await userWithKey({ expires_at: new Date(Date.now() + 60_000).toISOString() });
      await app
        .get(DataSource)
        .query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [expiring.keyId]);
      await http().delete(`${KEYS}/${keyId}`).set(bearer(token)).expect(204);

      const badToken = await http().get('/api/v1/users/me').set(bearer('not.a.token'));
      expect(badToken.status).toBe(401);
      for (const attempt of [
        key,
        expiring.key,
        `ak_${'A'.repeat(43)}`,
        'ak_short',
        key.toLowerCase(),
        'x'.repeat(5000),
      ]) {
        const response = await http().get('/api/v1/users/me').set(withKey(attempt));
        expect({ status: response.status, body: response.body }).toEqual({ status: 401, body: INVALID });
        expect(response.headers['www-authenticate']).toBe(badToken.headers['www-authenticate']);
      }
      // The owner's own token is untouched by the revocation.
      await http().get('/api/v1/users/me').set(bearer(token)).expect(200);
    });

    it("stops a deactivated user's keys, and a deleted user's", async () => {
      const admin = await loginAsSuperuser(app);
      const { id, key } = await userWithKey();
      await http().patch(`/api/v1/users/${id}`).set(bearer(admin.access_token)).send({ is_active: false }).expect(200);
      expect((await http().get('/api/v1/users/me').set(withKey(key)).expect(403)).body).toEqual({
        detail: 'Inactive user',
      });
      await http().patch(`/api/v1/users/${id}`).set(bearer(admin.access_token)).send({ is_active: true }).expect(200);
      await http().get('/api/v1/users/me').set(withKey(key)).expect(200);

      await http().delete(`/api/v1/users/${id}`).set(bearer(admin.access_token)).expect(204);
      expect((await http().get('/api/v1/users/me').set(withKey(key)).expect(401)).body).toEqual(INVALID);
    });

    it("keeps working through the owner's password change, password reset and logout, which end the sessions", async () => {
      const password = `pw-${randomUUID()}`;
      const user = await createUser(app, { password });
      const tokens = await login(app, user.email, password);
      const key = (await http().post(KEYS).set(bearer(tokens.access_token)).send({ name: 'k' }).expect(201)).body
        .key as string;

      await http()
        .patch('/api/v1/users/me/password')
        .set(bearer(tokens.access_token))
        .send({ current_password: password, new_password: `${password}-changed` })
        .expect(200);
      await http().get('/api/v1/users/me').set(withKey(key)).expect(200);

      const admin = await loginAsSuperuser(app);
      const email = await http()
        .post(`/api/v1/password-recovery-html-content/${encodeURIComponent(user.email)}`)
        .set(bearer(admin.access_token))
        .expect(200);
      const resetToken = decodeURIComponent(/token=([^"&\s]+)/.exec(email.text)![1]);
      await http()
        .post('/api/v1/reset-password/')
        .send({ token: resetToken, new_password: `${password}-reset` })
        .expect(200);
      await http().get('/api/v1/users/me').set(bearer(tokens.access_token)).expect(401);
      await http().get('/api/v1/users/me').set(withKey(key)).expect(200);

      const fresh = await login(app, user.email, `${password}-reset`);
      await http().post('/api/v1/logout').set(bearer(fresh.access_token)).expect(204);
      await http().get('/api/v1/users/me').set(withKey(key)).expect(200);
    });

    it('cannot make keys, or change the email or password, or delete the account', async () => {
      const { key, token } = await userWithKey();
      const refused = { detail: 'This action needs a password login, not an API key' };
      expect((await http().post(KEYS).set(withKey(key)).send({ name: 'forever' }).expect(403)).body).toEqual(refused);
      expect(
        (
          await http()
            .patch('/api/v1/users/me')
            .set(withKey(key))
            .send({ email: `${randomUUID()}@example.com` })
            .expect(403)
        ).body,
      ).toEqual(refused);
      await http()
        .patch('/api/v1/users/me/password')
        .set(withKey(key))
        .send({ current_password: 'x'.repeat(8), new_password: 'y'.repeat(8) })
        .expect(403);
      await http().delete('/api/v1/users/me').set(withKey(key)).expect(403);
      expect((await http().get(KEYS).set(bearer(token)).expect(200)).body.count).toBe(1);
      await http().get('/api/v1/users/me').set(withKey(key)).expect(200);
    });

    it('takes the key when a request carries both a key and a bearer token', async () => {
      const keyOwner = await userWithKey();
      const other = await signedInUser(app);
      const me = await http().get('/api/v1/users/me').set(withKey(keyOwner.key)).set(bearer(other.token)).expect(200);
      expect(me.body.id).toBe(keyOwner.id);
    });

    it('still answers 401 "Not authenticated" without any credentials', async () => {
      const response = await http().get('/api/v1/users/me').set('X-API-Key', '').expect(401);
      expect(response.body).toEqual({ detail: 'Not authenticated' });
    });
  });

  describe("a superuser and other users' keys", () => {
    it("lists and revokes any user's keys as a superuser", async () => {
      const admin = await loginAsSuperuser(app);
      const { id, key, keyId } = await userWithKey({ name: 'theirs' });
      const list = await http().get(`/api/v1/users/${id}/api-keys`).set(bearer(admin.access_token)).expect(200);
      expect(list.body).toMatchObject({ count: 1, data: [{ id: keyId, user_id: id, name: 'theirs' }] });
      await http().delete(`/api/v1/users/${id}/api-keys/${keyId}`).set(bearer(admin.access_token)).expect(204);
      await http().get('/api/v1/users/me').set(withKey(key)).expect(401);
      const gone = await http()
        .delete(`/api/v1/users/${id}/api-keys/${keyId}`)
        .set(bearer(admin.access_token))
        .expect(404);
      expect(gone.body).toEqual({ detail: 'API key not found' });
      const noUser = await http()
        .get(`/api/v1/users/${randomUUID()}/api-keys`)
        .set(bearer(admin.access_token))
        .expect(404);
      expect(noUser.body).toEqual({ detail: 'User not found' });
    });

    it("keeps a normal user away from anyone else's keys", async () => {
      const owner = await userWithKey();
      const intruder = await signedInUser(app);
      for (const call of [
        http().get(`/api/v1/users/${owner.id}/api-keys`),
        http().delete(`/api/v1/users/${owner.id}/api-keys/${owner.keyId}`),
      ]) {
        expect((await call.set(bearer(intruder.token)).expect(403)).body).toEqual({
          detail: "The user doesn't have enough privileges",
        });
      }
      // Through /me, another user's key id is simply not one of yours.
      await http().delete(`${KEYS}/${owner.keyId}`).set(bearer(intruder.token)).expect(404);
      await http().get('/api/v1/users/me').set(withKey(owner.key)).expect(200);
      // A user's own id works like /me.
      await http().get(`/api/v1/users/${owner.id}/api-keys`).set(bearer(owner.token)).expect(200);
    });

    it('answers a malformed key id with 422 and anonymous callers with 401', async () => {
      const { token } = await signedInUser(app);
      const bad = await http().delete(`${KEYS}/not-a-uuid`).set(bearer(token)).expect(422);
      expect(bad.body.detail[0]).toMatchObject({ type: 'uuid_parsing', loc: ['path', 'key_id'] });
      await http().get(KEYS).expect(401);
      await http().post(KEYS).send({ name: 'anonymous' }).expect(401);
    });
  });

  it('declares the key scheme in the OpenAPI document as an alternative to the OAuth2 login', async () => {
    const { body: spec } = await http().get('/api/v1/openapi.json').expect(200);
    expect(spec.components.securitySchemes.APIKeyHeader).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-API-Key',
    });
    expect(spec.security).toEqual([{ OAuth2PasswordBearer: [] }, { APIKeyHeader: [] }]);
    expect(spec.paths['/api/v1/users/me/api-keys'].post).toBeDefined();
    expect(spec.paths['/api/v1/users/{user_id}/api-keys/{key_id}'].delete).toBeDefined();
  });
});

describe('API key failure limit', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createTestApp({ redisKeyPrefix: `test-key-limit-${randomUUID()}`, apiKeyMaxFailuresPerIp: 5 });
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers 429 with Retry-After to a client past the limit of bad keys, and lets its good keys through', async () => {
    const user = await signedInUser(app);
    const good = (
      await request(app.getHttpServer()).post(KEYS).set(bearer(user.token)).send({ name: 'good' }).expect(201)
    ).body.key as string;
    const badKey = () => request(app.getHttpServer()).get('/api/v1/users/me').set('X-API-Key', `ak_${randomUUID()}`);
    for (let i = 0; i < 5; i++) await badKey().expect(401);
    const blocked = await badKey().expect(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect(blocked.body).toEqual({ detail: 'Too many failed API key attempts, please try again later' });
    await request(app.getHttpServer()).get('/api/v1/users/me').set('X-API-Key', good).expect(200);
    await request(app.getHttpServer()).get('/api/v1/users/me').set(bearer(user.token)).expect(200);
  });
});
