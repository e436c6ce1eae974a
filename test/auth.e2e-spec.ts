import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import * as bcrypt from '@node-rs/bcrypt';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { createTestApp } from './utils/test-app.js';
import { bearer, createUser, login, loginAsSuperuser, type TestUser, uniqueEmail } from './utils/users.js';

const base64url = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('auth', () => {
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());
  const me = (token: string) => http().get('/api/v1/users/me').set(bearer(token));

  beforeAll(async () => {
    app = await createTestApp();
  });

  afterAll(async () => {
    await app.close();
  });

  describe('POST /login/access-token', () => {
    let user: TestUser;

    beforeAll(async () => {
      user = await createUser(app, { email: uniqueEmail('Login.Case') });
    });

    it('logs in with an OAuth2 form and returns a token pair that is not cached', async () => {
      const response = await http()
        .post('/api/v1/login/access-token')
        .type('form')
        .send({ username: user.email, password: user.password, grant_type: 'password', scope: '', client_id: 'web' })
        .expect(200);
      expect(response.body).toEqual({
        access_token: expect.any(String),
        token_type: 'bearer',
        refresh_token: expect.any(String),
        expires_in: 1800,
      });
      expect(response.headers['cache-control']).toBe('no-store');
      await me(response.body.access_token).expect(200);
    });

    it('logs in with JSON using the same field names', async () => {
      const response = await http()
        .post('/api/v1/login/access-token')
        .send({ username: user.email, password: user.password })
        .expect(200);
      expect(response.body.token_type).toBe('bearer');
    });

    it('matches the email case-insensitively', async () => {
      await http()
        .post('/api/v1/login/access-token')
        .type('form')
        .send({ username: user.email.toUpperCase(), password: user.password })
        .expect(200);
    });

    it('gives the same answer for a wrong password and an unknown email', async () => {
      const wrong = await http()
        .post('/api/v1/login/access-token')
        .type('form')
        .send({ username: user.email, password: 'wrong-password' })
        .expect(400);
      const unknown = await http()
        .post('/api/v1/login/access-token')
        .type('form')
        .send({ username: uniqueEmail('nobody'), password: 'wrong-password' })
        .expect(400);
      expect(wrong.body).toEqual({ detail: 'Incorrect email or password' });
      expect(unknown.body).toEqual(wrong.body);
    });

    it('refuses an inactive user with 400 after a correct password', async () => {
      const inactive = await createUser(app, { is_active: false });
      const response = await http()
        .post('/api/v1/login/access-token')
        .type('form')
        .send({ username: inactive.email, password: inactive.password })
        .expect(400);
      expect(response.body).toEqual({ detail: 'Inactive user' });
    });

    it('answers 422 when a field is missing', async () => {
      const response = await http()
        .post('/api/v1/login/access-token')
        .type('form')
        .send({ username: user.email })
        .expect(422);
      expect(response.body.detail).toEqual([{ type: 'missing', loc: ['body', 'password'], msg: 'Field required' }]);
    });

    it('upgrades a bcrypt hash from the FastAPI template to argon2id at login', async () => {
      const legacy = await createUser(app);
      const dataSource = app.get(DataSource);
      await dataSource.query('UPDATE users SET hashed_password = $1 WHERE id = $2', [
        await bcrypt.hash(legacy.password, { cost: 4 }),
        legacy.id,
      ]);
      await login(app, legacy.email, legacy.password);
      const [{ hashed_password: stored }] = await dataSource.query('SELECT hashed_password FROM users WHERE id = $1', [
        legacy.id,
      ]);
      expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      await login(app, legacy.email, legacy.password);
    });
  });

  describe('POST /login/test-token', () => {
    it('returns the token owner, without any hash', async () => {
      const user = await createUser(app);
      const { access_token } = await login(app, user.email, user.password);
      const response = await http().post('/api/v1/login/test-token').set(bearer(access_token)).expect(200);
      expect(response.body).toMatchObject({ id: user.id, email: user.email, is_active: true, is_superuser: false });
      expect(JSON.stringify(response.body)).not.toMatch(/hash|password|argon/i);
    });
  });

  describe('access tokens', () => {
    let user: TestUser;
    let accessToken: string;
    const secret = () => process.env.SECRET_KEY as string;

    beforeAll(async () => {
      user = await createUser(app);
      ({ access_token: accessToken } = await login(app, user.email, user.password));
    });

    it('answers 401 Not authenticated with WWW-Authenticate when no token is sent', async () => {
      for (const headers of [{}, { Authorization: 'Basic dXNlcjpwYXNz' }, { Authorization: 'Bearer' }]) {
        const response = await http().get('/api/v1/users/me').set(headers).expect(401);
        expect(response.body).toEqual({ detail: 'Not authenticated' });
        expect(response.headers['www-authenticate']).toBe('Bearer');
      }
    });

    async function expectRejected(token: string) {
      const response = await me(token).expect(401);
      expect(response.body).toEqual({ detail: 'Could not validate credentials' });
      expect(response.headers['www-authenticate']).toBe('Bearer');
    }

    it('rejects garbage', async () => {
      await expectRejected('not-a-jwt');
    });

    it('rejects an unsigned token (alg: none)', async () => {
      const [, payload] = accessToken.split('.');
      await expectRejected(`${base64url({ alg: 'none', typ: 'JWT' })}.${payload}.`);
    });

    it('rejects a token whose payload was changed', async () => {
      const [header, payload, signature] = accessToken.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
      await expectRejected(`${header}.${base64url({ ...claims, sub: randomUUID() })}.${signature}`);
    });

    it('rejects a token signed with another key or another algorithm', async () => {
      const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
      await expectRejected(
        await new JwtService({ secret: 'another-secret-of-enough-length-000000' }).signAsync(claims),
      );
      await expectRejected(await new JwtService({ secret: secret() }).signAsync(claims, { algorithm: 'HS512' }));
    });

    it('rejects an expired token', async () => {
      const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
      const now = Math.floor(Date.now() / 1000);
      await expectRejected(
        await new JwtService({ secret: secret() }).signAsync({ ...claims, iat: now - 3600, exp: now - 60 }),
      );
    });

    it('stops taking a token it has already verified once the token expires', async () => {
      const { access_token: token } = await login(app, user.email, user.password);
      await me(token).expect(200);
      await me(token).expect(200);
      const { exp } = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { exp: number };
      const clock = jest.spyOn(Date, 'now').mockReturnValue(exp * 1000 + 1000);
      try {
        await expectRejected(token);
      } finally {
        clock.mockRestore();
      }
      await me(token).expect(200);
    });

    it('rejects a token of another type and a refresh token used as a bearer token', async () => {
      const claims = JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString());
      await expectRejected(
        await new JwtService({ secret: secret() }).signAsync({ sub: claims.sub, sid: claims.sid, typ: 'refresh' }),
      );
      const { refresh_token } = await login(app, user.email, user.password);
      await expectRejected(refresh_token);
    });

    it('rejects the token of a deleted user', async () => {
      const doomed = await createUser(app);
      const tokens = await login(app, doomed.email, doomed.password);
      const admin = await loginAsSuperuser(app);
      await http().delete(`/api/v1/users/${doomed.id}`).set(bearer(admin.access_token)).expect(204);
      await expectRejected(tokens.access_token);
    });

    it('answers 403 Inactive user for a deactivated user', async () => {
      const target = await createUser(app);
      const tokens = await login(app, target.email, target.password);
      const admin = await loginAsSuperuser(app);
      await http()
        .patch(`/api/v1/users/${target.id}`)
        .set(bearer(admin.access_token))
        .send({ is_active: false })
        .expect(200);
      const response = await me(tokens.access_token).expect(403);
      expect(response.body).toEqual({ detail: 'Inactive user' });
      await http().post('/api/v1/login/refresh').send({ refresh_token: tokens.refresh_token }).expect(401);

      // Reactivation does not revive the sessions that deactivation ended.
      await http()
        .patch(`/api/v1/users/${target.id}`)
        .set(bearer(admin.access_token))
        .send({ is_active: true })
        .expect(200);
      await expectRejected(tokens.access_token);
      await login(app, target.email, target.password);
    });
  });

  describe('POST /login/refresh', () => {
    it('rotates: the new pair works and the used refresh token does not', async () => {
      const user = await createUser(app);
      const first = await login(app, user.email, user.password);
      const second = await http()
        .post('/api/v1/login/refresh')
        .send({ refresh_token: first.refresh_token })
        .expect(200);
      expect(second.headers['cache-control']).toBe('no-store');
      expect(second.body.refresh_token).not.toBe(first.refresh_token);
      await me(second.body.access_token).expect(200);
      await http().post('/api/v1/login/refresh').send({ refresh_token: second.body.refresh_token }).expect(200);
    });

    it('revokes the whole session when a used refresh token comes back', async () => {
      const user = await createUser(app);
      const first = await login(app, user.email, user.password);
      const other = await login(app, user.email, user.password);
      const second = await http()
        .post('/api/v1/login/refresh')
        .send({ refresh_token: first.refresh_token })
        .expect(200);

      const reuse = await http().post('/api/v1/login/refresh').send({ refresh_token: first.refresh_token }).expect(401);
      expect(reuse.body).toEqual({ detail: 'Could not validate credentials' });
      await http().post('/api/v1/login/refresh').send({ refresh_token: second.body.refresh_token }).expect(401);
      await me(second.body.access_token).expect(401);
      // Other sessions of the same user are not part of that family.
      await me(other.access_token).expect(200);
    });

    it('answers 401 for malformed and unknown refresh tokens', async () => {
      for (const token of ['x', `${randomUUID()}.secret`, 'a.b.c']) {
        const response = await http().post('/api/v1/login/refresh').send({ refresh_token: token }).expect(401);
        expect(response.body).toEqual({ detail: 'Could not validate credentials' });
      }
      await http().post('/api/v1/login/refresh').send({}).expect(422);
    });
  });

  describe('POST /logout', () => {
    it("ends all of the caller's sessions; a new login works at once", async () => {
      const user = await createUser(app);
      const a = await login(app, user.email, user.password);
      const b = await login(app, user.email, user.password);
      await http().post('/api/v1/logout').set(bearer(a.access_token)).expect(204);
      await me(a.access_token).expect(401);
      await me(b.access_token).expect(401);
      await http().post('/api/v1/login/refresh').send({ refresh_token: b.refresh_token }).expect(401);
      const again = await login(app, user.email, user.password);
      await me(again.access_token).expect(200);
    });

    it('requires authentication', async () => {
      await http().post('/api/v1/logout').expect(401);
    });
  });

  describe('PATCH /users/me/password', () => {
    it('changes the password, keeps the caller and ends the other sessions', async () => {
      const user = await createUser(app);
      const caller = await login(app, user.email, user.password);
      const other = await login(app, user.email, user.password);
      const response = await http()
        .patch('/api/v1/users/me/password')
        .set(bearer(caller.access_token))
        .send({ current_password: user.password, new_password: 'a brand new password' })
        .expect(200);
      expect(response.body).toEqual({ message: 'Password updated successfully' });
      await me(caller.access_token).expect(200);
      await me(other.access_token).expect(401);
      await http().post('/api/v1/login/refresh').send({ refresh_token: caller.refresh_token }).expect(200);
      await http()
        .post('/api/v1/login/access-token')
        .type('form')
        .send({ username: user.email, password: user.password })
        .expect(400);
      await login(app, user.email, 'a brand new password');
    });

    it('refuses a wrong current password and an unchanged one', async () => {
      const user = await createUser(app);
      const { access_token } = await login(app, user.email, user.password);
      const wrong = await http()
        .patch('/api/v1/users/me/password')
        .set(bearer(access_token))
        .send({ current_password: 'not the password', new_password: 'another password' })
        .expect(400);
      expect(wrong.body).toEqual({ detail: 'Incorrect password' });
      const same = await http()
        .patch('/api/v1/users/me/password')
        .set(bearer(access_token))
        .send({ current_password: user.password, new_password: user.password })
        .expect(400);
      expect(same.body).toEqual({ detail: 'New password cannot be the same as the current one' });
      const short = await http()
        .patch('/api/v1/users/me/password')
        .set(bearer(access_token))
        .send({ current_password: user.password, new_password: 'short' })
        .expect(422);
      expect(short.body.detail[0]).toMatchObject({ type: 'string_too_short', loc: ['body', 'new_password'] });
      expect(short.body.detail[0].input).toBeUndefined();
    });
  });
});
