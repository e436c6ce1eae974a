import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp } from './utils/test-app.js';
import { bearer, createUser, login, loginAsSuperuser, type TestUser, uniqueEmail } from './utils/users.js';

const USER_KEYS = ['created_at', 'email', 'full_name', 'id', 'is_active', 'is_superuser', 'is_verified', 'updated_at'];

describe('users', () => {
  let app: NestFastifyApplication;
  let admin: string;
  let user: TestUser;
  let userToken: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp();
    admin = (await loginAsSuperuser(app)).access_token;
    user = await createUser(app, { full_name: 'Normal User' });
    userToken = (await login(app, user.email, user.password)).access_token;
  });

  afterAll(async () => {
    await app.close();
  });

  describe('GET /users/', () => {
    it('lists users for a superuser, newest first, with the total count', async () => {
      const response = await http().get('/api/v1/users/').set(bearer(admin)).expect(200);
      expect(Object.keys(response.body).sort()).toEqual(['count', 'data']);
      expect(response.body.count).toBeGreaterThanOrEqual(2);
      expect(Object.keys(response.body.data[0]).sort()).toEqual(USER_KEYS);
      const created = response.body.data.map((u: { created_at: string }) => Date.parse(u.created_at));
      expect([...created].sort((a, b) => b - a)).toEqual(created);
    });

    it('pages with skip and limit, keeping the total', async () => {
      const all = await http().get('/api/v1/users').set(bearer(admin)).expect(200);
      const page = await http().get('/api/v1/users/?skip=1&limit=1').set(bearer(admin)).expect(200);
      expect(page.body.count).toBe(all.body.count);
      expect(page.body.data).toHaveLength(1);
      expect(page.body.data[0].id).toBe(all.body.data[1].id);
    });

    it('answers 422 for out-of-range paging', async () => {
      for (const query of ['limit=0', 'limit=1001', 'skip=-1', 'skip=x']) {
        const response = await http().get(`/api/v1/users/?${query}`).set(bearer(admin)).expect(422);
        expect(response.body.detail[0].loc[0]).toBe('query');
      }
    });

    it('is for superusers only', async () => {
      const response = await http().get('/api/v1/users/').set(bearer(userToken)).expect(403);
      expect(response.body).toEqual({ detail: "The user doesn't have enough privileges" });
      await http().get('/api/v1/users/').expect(401);
    });
  });

  describe('POST /users/', () => {
    it('creates a user as a superuser, never returning the password', async () => {
      const email = uniqueEmail('created');
      const response = await http()
        .post('/api/v1/users/')
        .set(bearer(admin))
        .send({
          email,
          password: 'a good password',
          full_name: 'Created',
          is_superuser: true,
          hashed_password: 'x',
          id: randomUUID(),
        })
        .expect(201);
      expect(response.body).toMatchObject({ email, full_name: 'Created', is_active: true, is_superuser: true });
      expect(Object.keys(response.body).sort()).toEqual(USER_KEYS);
      await login(app, email, 'a good password');
    });

    it('refuses a duplicate email, whatever its case', async () => {
      const response = await http()
        .post('/api/v1/users/')
        .set(bearer(admin))
        .send({ email: user.email.toUpperCase(), password: 'a good password' })
        .expect(400);
      expect(response.body).toEqual({ detail: 'The user with this email already exists in the system.' });
    });

    it('validates the body', async () => {
      const response = await http()
        .post('/api/v1/users/')
        .set(bearer(admin))
        .send({ email: 'not-an-email', password: 'short' })
        .expect(422);
      expect(response.body.detail.map((d: { loc: string[] }) => d.loc)).toEqual([
        ['body', 'email'],
        ['body', 'password'],
      ]);
      const long = await http()
        .post('/api/v1/users/')
        .set(bearer(admin))
        .send({ email: `${'a'.repeat(250)}@example.com`, password: 'a good password' })
        .expect(422);
      expect(long.body.detail[0].input).toHaveLength(100);
    });

    it('is for superusers only', async () => {
      await http()
        .post('/api/v1/users/')
        .set(bearer(userToken))
        .send({ email: uniqueEmail(), password: 'a good password' })
        .expect(403);
    });
  });

  describe('GET /users/me', () => {
    it('returns the caller', async () => {
      const response = await http().get('/api/v1/users/me').set(bearer(userToken)).expect(200);
      expect(response.body).toMatchObject({
        id: user.id,
        email: user.email,
        full_name: 'Normal User',
        is_superuser: false,
      });
      expect(response.body.created_at).toMatch(/Z$/);
    });
  });

  describe('PATCH /users/me', () => {
    it('updates the name and email; {} changes nothing', async () => {
      const own = await createUser(app);
      const { access_token } = await login(app, own.email, own.password);
      await http().patch('/api/v1/users/me').set(bearer(access_token)).send({}).expect(200);
      const email = uniqueEmail('Renamed');
      const response = await http()
        .patch('/api/v1/users/me')
        .set(bearer(access_token))
        .send({ full_name: 'Renamed', email })
        .expect(200);
      expect(response.body).toMatchObject({ full_name: 'Renamed', email });
      const cleared = await http()
        .patch('/api/v1/users/me')
        .set(bearer(access_token))
        .send({ full_name: null })
        .expect(200);
      expect(cleared.body.full_name).toBeNull();
      await login(app, email.toLowerCase(), own.password);
    });

    it("answers 409 for another user's email and ignores fields users may not set", async () => {
      const own = await createUser(app);
      const { access_token } = await login(app, own.email, own.password);
      const taken = await http()
        .patch('/api/v1/users/me')
        .set(bearer(access_token))
        .send({ email: user.email.toUpperCase() })
        .expect(409);
      expect(taken.body).toEqual({ detail: 'User with this email already exists' });
      const response = await http()
        .patch('/api/v1/users/me')
        .set(bearer(access_token))
        .send({ is_superuser: true, is_active: false })
        .expect(200);
      expect(response.body).toMatchObject({ is_superuser: false, is_active: true });
    });
  });

  describe('DELETE /users/me', () => {
    it('deletes the caller', async () => {
      const own = await createUser(app);
      const { access_token } = await login(app, own.email, own.password);
      const response = await http().delete('/api/v1/users/me').set(bearer(access_token)).expect(204);
      expect(response.text).toBe('');
      await http().get(`/api/v1/users/${own.id}`).set(bearer(admin)).expect(404);
    });

    it('refuses a superuser', async () => {
      const response = await http().delete('/api/v1/users/me').set(bearer(admin)).expect(403);
      expect(response.body).toEqual({ detail: 'Super users are not allowed to delete themselves' });
    });
  });

  describe('POST /users/signup', () => {
    it('registers an active normal user, ignoring is_superuser and extra keys', async () => {
      const email = uniqueEmail('signup');
      const response = await http()
        .post('/api/v1/users/signup')
        .send({
          email,
          password: 'a good password',
          full_name: 'New',
          is_superuser: true,
          is_active: false,
          confirm_password: 'a good password',
        })
        .expect(201);
      expect(response.body).toMatchObject({ email, full_name: 'New', is_active: true, is_superuser: false });
      await login(app, email, 'a good password');
    });

    it('refuses a taken email with its own wording', async () => {
      const response = await http()
        .post('/api/v1/users/signup')
        .send({ email: user.email, password: 'a good password' })
        .expect(400);
      expect(response.body).toEqual({ detail: 'The user with this email already exists in the system' });
    });

    it('answers 403 when open registration is off', async () => {
      const closed = await createTestApp({ usersOpenRegistration: false });
      try {
        const response = await request(closed.getHttpServer())
          .post('/api/v1/users/signup')
          .send({ email: uniqueEmail(), password: 'a good password' })
          .expect(403);
        expect(response.body).toEqual({ detail: 'Open user registration is forbidden on this server' });
      } finally {
        await closed.close();
      }
    });

    it('validates lengths in characters', async () => {
      const response = await http()
        .post('/api/v1/users/signup')
        .send({ email: uniqueEmail(), password: 'a good password', full_name: '😀'.repeat(256) })
        .expect(422);
      expect(response.body.detail[0]).toMatchObject({ type: 'string_too_long', loc: ['body', 'full_name'] });
      await http()
        .post('/api/v1/users/signup')
        .send({ email: uniqueEmail(), password: '😀'.repeat(8), full_name: '😀'.repeat(255) })
        .expect(201);
    });
  });

  describe('GET /users/{user_id}', () => {
    it('returns yourself to a normal user and anyone to a superuser', async () => {
      await http().get(`/api/v1/users/${user.id}`).set(bearer(userToken)).expect(200);
      const response = await http().get(`/api/v1/users/${user.id}`).set(bearer(admin)).expect(200);
      expect(response.body.email).toBe(user.email);
    });

    it("refuses a normal user someone else's record, existing or not", async () => {
      const other = await createUser(app);
      for (const id of [other.id, randomUUID()]) {
        const response = await http().get(`/api/v1/users/${id}`).set(bearer(userToken)).expect(403);
        expect(response.body).toEqual({ detail: "The user doesn't have enough privileges" });
      }
    });

    it('answers 404 to a superuser for an unknown id and 422 for a malformed one', async () => {
      const response = await http().get(`/api/v1/users/${randomUUID()}`).set(bearer(admin)).expect(404);
      expect(response.body).toEqual({ detail: 'User not found' });
      const malformed = await http().get('/api/v1/users/12345').set(bearer(admin)).expect(422);
      expect(malformed.body.detail[0]).toMatchObject({ type: 'uuid_parsing', loc: ['path', 'user_id'] });
    });
  });

  describe('PATCH /users/{user_id}', () => {
    it('updates any field as a superuser; a new password ends the sessions and works', async () => {
      const target = await createUser(app);
      const tokens = await login(app, target.email, target.password);
      const response = await http()
        .patch(`/api/v1/users/${target.id}`)
        .set(bearer(admin))
        .send({ full_name: 'Changed', password: 'set by the admin', is_superuser: true })
        .expect(200);
      expect(response.body).toMatchObject({ full_name: 'Changed', is_superuser: true });
      await http().get('/api/v1/users/me').set(bearer(tokens.access_token)).expect(401);
      await login(app, target.email, 'set by the admin');
    });

    it('answers 404 for an unknown id and 409 for a taken email', async () => {
      const missing = await http()
        .patch(`/api/v1/users/${randomUUID()}`)
        .set(bearer(admin))
        .send({ full_name: 'x' })
        .expect(404);
      expect(missing.body).toEqual({ detail: 'The user with this id does not exist in the system' });
      const target = await createUser(app);
      const taken = await http()
        .patch(`/api/v1/users/${target.id}`)
        .set(bearer(admin))
        .send({ email: user.email })
        .expect(409);
      expect(taken.body).toEqual({ detail: 'User with this email already exists' });
    });

    it('is for superusers only', async () => {
      await http().patch(`/api/v1/users/${user.id}`).set(bearer(userToken)).send({ is_superuser: true }).expect(403);
    });
  });

  describe('DELETE /users/{user_id}', () => {
    it('deletes a user and their sessions in one go', async () => {
      const target = await createUser(app);
      await login(app, target.email, target.password);
      await http().delete(`/api/v1/users/${target.id}`).set(bearer(admin)).expect(204);
      const [{ count }] = await app
        .get(DataSource)
        .query('SELECT count(*)::int AS count FROM auth_sessions WHERE user_id = $1', [target.id]);
      expect(count).toBe(0);
    });

    it('answers 404 for an unknown user and 403 for the superuser themselves', async () => {
      const missing = await http().delete(`/api/v1/users/${randomUUID()}`).set(bearer(admin)).expect(404);
      expect(missing.body).toEqual({ detail: 'User not found' });
      const me = await http().get('/api/v1/users/me').set(bearer(admin)).expect(200);
      const self = await http().delete(`/api/v1/users/${me.body.id}`).set(bearer(admin)).expect(403);
      expect(self.body).toEqual({ detail: 'Super users are not allowed to delete themselves' });
    });

    it('is for superusers only', async () => {
      await http().delete(`/api/v1/users/${user.id}`).set(bearer(userToken)).expect(403);
    });
  });
});
