import { jest } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import request from 'supertest';
import { DETAIL } from '../src/common/errors/domain-error.js';
import { PasswordHasher } from '../src/common/security/password-hasher.js';
import { AppConfig } from '../src/config/app-config.js';
import { PasswordResetMail } from '../src/modules/auth/password-reset-mail.js';
import { JobQueue } from '../src/modules/jobs/job-queue.service.js';
import { UsersService } from '../src/modules/users/users.service.js';
import { createTestApp } from './utils/test-app.js';
import { bearer, createUser, login, loginAsSuperuser, type TestUser, uniqueEmail } from './utils/users.js';

/**
 * One regression test per finding of the outside attack (see README, "Security"). Bursts are
 * sent really in parallel, over a listening socket, to an app whose limits count under a Redis
 * prefix of its own.
 */
describe('security regressions', () => {
  const apps: NestFastifyApplication[] = [];
  /** A listening app of its own: limits and cache versions start from nothing. */
  const isolated = async (overrides: Parameters<typeof createTestApp>[0] = {}) => {
    const app = await createTestApp({ redisKeyPrefix: `test-security-${randomUUID()}`, ...overrides });
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    return { app, url: await app.getUrl() };
  };
  const parallel = <T>(count: number, send: (index: number) => Promise<T>) =>
    Promise.all(Array.from({ length: count }, (_, index) => send(index)));
  const statuses = (responses: { status: number }[]) =>
    responses.reduce<Record<number, number>>(
      (tally, { status }) => ({ ...tally, [status]: (tally[status] ?? 0) + 1 }),
      {},
    );
  const loginAttempt = (url: string, username: string, password: string) =>
    request(url).post('/api/v1/login/access-token').type('form').send({ username, password });
  /** Counts the password verifications (real and decoy) an app performs from now on. */
  const countVerifications = (app: NestFastifyApplication) => {
    const hasher = app.get(PasswordHasher);
    return [jest.spyOn(hasher, 'verify'), jest.spyOn(hasher, 'verifyDecoy')];
  };
  /** The recovery jobs an app queues from now on (the worker turns them into emails). */
  const captureRecoveries = (app: NestFastifyApplication) => jest.spyOn(app.get(JobQueue), 'requestPasswordReset');
  /** The token of the reset email the worker would send to `email` now. */
  const resetTokenFor = async (app: NestFastifyApplication, email: string) => {
    const composed = await app.get(PasswordResetMail).compose(email);
    return new URL((composed!.content as { resetLink: string }).resetLink).searchParams.get('token')!;
  };

  afterEach(() => jest.restoreAllMocks());
  afterAll(async () => {
    for (const app of apps) await app.close();
  });

  describe('1. login limits hold against parallel bursts', () => {
    it('checks at most 10 of 150 parallel wrong passwords for one email; the rest are 429 with Retry-After', async () => {
      const { app, url } = await isolated();
      const user = await createUser(app);
      const [verify, decoy] = countVerifications(app);
      const responses = await parallel(150, (i) => loginAttempt(url, user.email, `wrong-${i}`));
      expect(statuses(responses)).toEqual({ 400: 10, 429: 140 });
      expect(verify.mock.calls.length + decoy.mock.calls.length).toBe(10);
      for (const refused of responses.filter((r) => r.status === 429))
        expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('answers 429 to the right password inside a burst past the limit, and the count stays', async () => {
      const { app, url } = await isolated();
      const user = await createUser(app);
      expect(statuses(await parallel(10, (i) => loginAttempt(url, user.email, `wrong-${i}`)))).toEqual({ 400: 10 });
      const burst = await parallel(100, (i) => loginAttempt(url, user.email, i === 99 ? user.password : `wrong-${i}`));
      expect(statuses(burst)).toEqual({ 429: 100 });
      await loginAttempt(url, user.email, user.password).expect(429);
    });

    it('checks at most the per-address limit of a parallel spray over many emails', async () => {
      const { app, url } = await isolated({ loginMaxFailuresPerIp: 20 });
      const [verify, decoy] = countVerifications(app);
      const responses = await parallel(150, () => loginAttempt(url, uniqueEmail('spray'), 'wrong-password'));
      expect(statuses(responses)).toEqual({ 400: 20, 429: 130 });
      expect(verify.mock.calls.length + decoy.mock.calls.length).toBe(20);
    });

    it('gives the address slot back on success: many good logins from one address never lock it', async () => {
      const { app, url } = await isolated({ loginMaxFailuresPerIp: 3 });
      const user = await createUser(app);
      for (let i = 0; i < 6; i++) await loginAttempt(url, user.email, user.password).expect(200);
      await loginAttempt(url, uniqueEmail('ghost'), 'wrong-password').expect(400);
    });
  });

  describe('2. the recovery limit holds against parallel bursts', () => {
    it('queues 5 recoveries of 100 parallel requests for one address; the rest are 429', async () => {
      const { app, url } = await isolated();
      const user = await createUser(app);
      const queued = captureRecoveries(app);
      const responses = await parallel(100, () => request(url).post(`/api/v1/password-recovery/${user.email}`));
      expect(statuses(responses)).toEqual({ 200: 5, 429: 95 });
      expect(queued).toHaveBeenCalledTimes(5);
    });
  });

  describe('3. the current password of a password change cannot be guessed without bound', () => {
    const change = (url: string, token: string, current: string, next = `new-${randomUUID()}`) =>
      request(url)
        .patch('/api/v1/users/me/password')
        .set(bearer(token))
        .send({ current_password: current, new_password: next });

    it('checks at most 10 of 100 parallel guesses per user, then refuses the right one too', async () => {
      const { app, url } = await isolated();
      const user = await createUser(app);
      const { access_token } = await login(app, user.email, user.password);
      const [verify] = countVerifications(app);
      expect(statuses(await parallel(100, (i) => change(url, access_token, `guess-${i}`)))).toEqual({
        400: 10,
        429: 90,
      });
      expect(verify).toHaveBeenCalledTimes(10);
      await change(url, access_token, user.password).expect(429);
      await login(app, user.email, user.password);
    });

    it('limits guesses per client address across users', async () => {
      const { app, url } = await isolated({ loginMaxFailuresPerIp: 4 });
      const tokens = await Promise.all(
        [createUser(app), createUser(app)].map(
          async (u) => (await login(app, (await u).email, (await u).password)).access_token,
        ),
      );
      const responses = await parallel(20, (i) => change(url, tokens[i % 2], `guess-${i}`));
      expect(statuses(responses)).toEqual({ 400: 4, 429: 16 });
    });

    it("clears the user's count after a right password", async () => {
      const { app, url } = await isolated({ loginMaxFailuresPerEmail: 2 });
      const user = await createUser(app);
      const { access_token } = await login(app, user.email, user.password);
      await change(url, access_token, 'wrong-guess').expect(400);
      const next = `new-${randomUUID()}`;
      await change(url, access_token, user.password, next).expect(200);
      await change(url, access_token, 'wrong-guess').expect(400);
      await change(url, access_token, next).expect(200);
    });
  });

  describe("4. an API key never changes an account's password or email, nor grants superuser", () => {
    it("refuses a superuser's full key on those fields, whatever the route, and changes nothing", async () => {
      const { app, url } = await isolated();
      const admin = await createUser(app, { is_superuser: true });
      const adminTokens = await login(app, admin.email, admin.password);
      const created = await request(url)
        .post('/api/v1/users/me/api-keys')
        .set(bearer(adminTokens.access_token))
        .send({ name: 'provisioning' })
        .expect(201);
      const key = { 'X-API-Key': created.body.key as string };
      const victim = await createUser(app);

      for (const [target, body] of [
        [admin.id, { password: 'taken-over-password' }],
        [victim.id, { password: 'taken-over-password' }],
        [victim.id, { email: uniqueEmail('attacker') }],
        [victim.id, { is_superuser: true }],
        [victim.id, { full_name: 'ok', email: victim.email }],
      ] as const) {
        const refused = await request(url).patch(`/api/v1/users/${target}`).set(key).send(body).expect(403);
        expect(refused.body).toEqual({ detail: DETAIL.SESSION_REQUIRED });
      }
      const superuser = await request(url)
        .post('/api/v1/users/')
        .set(key)
        .send({ email: uniqueEmail('su'), password: 'long-enough-password', is_superuser: true })
        .expect(403);
      expect(superuser.body).toEqual({ detail: DETAIL.SESSION_REQUIRED });

      await login(app, admin.email, admin.password);
      await login(app, victim.email, victim.password);
      const { body: victimNow } = await request(url)
        .get(`/api/v1/users/${victim.id}`)
        .set(bearer(adminTokens.access_token))
        .expect(200);
      expect(victimNow).toMatchObject({ email: victim.email, is_superuser: false });

      // What provisioning scripts need stays allowed.
      const ordinary = await request(url)
        .post('/api/v1/users/')
        .set(key)
        .send({ email: uniqueEmail('provisioned'), password: 'long-enough-password', is_superuser: false })
        .expect(201);
      expect(ordinary.body.is_superuser).toBe(false);
      await request(url)
        .patch(`/api/v1/users/${victim.id}`)
        .set(key)
        .send({ full_name: 'Renamed', is_active: true })
        .expect(200);
    });
  });

  describe('5. an email change ends reset links and the other sessions', () => {
    it('voids a link mailed to the old address; the caller stays signed in, other sessions end', async () => {
      const { app, url } = await isolated();
      const user = await createUser(app);
      const caller = await login(app, user.email, user.password);
      const other = await login(app, user.email, user.password);
      const token = await resetTokenFor(app, user.email);

      const email = uniqueEmail('moved');
      await request(url).patch('/api/v1/users/me').set(bearer(caller.access_token)).send({ email }).expect(200);
      const reset = await request(url)
        .post('/api/v1/reset-password/')
        .send({ token, new_password: 'attacker-password' })
        .expect(400);
      expect(reset.body).toEqual({ detail: 'Invalid token' });
      await login(app, email, user.password);

      await request(url).get('/api/v1/users/me').set(bearer(caller.access_token)).expect(200);
      await request(url).get('/api/v1/users/me').set(bearer(other.access_token)).expect(401);
      await request(url).post('/api/v1/login/refresh').send({ refresh_token: other.refresh_token }).expect(401);
    });

    it('an email set by a superuser ends every session and reset link of that user', async () => {
      const { app, url } = await isolated();
      const user = await createUser(app);
      const session = await login(app, user.email, user.password);
      const admin = await loginAsSuperuser(app);
      await request(url)
        .patch(`/api/v1/users/${user.id}`)
        .set(bearer(admin.access_token))
        .send({ email: uniqueEmail('moved') })
        .expect(200);
      await request(url).get('/api/v1/users/me').set(bearer(session.access_token)).expect(401);
    });
  });

  describe('6. a malformed refresh token is a 401, never a 500', () => {
    it.each([
      ['dashes in place of a session id', '------------------------------------.x'],
      ['zeros in place of a session id', '000000000000000000000000000000000000.x'],
      ['10,000 characters', 'x'.repeat(10_000)],
      ['an empty string', ''],
      ['a lone dot', '.'],
      ['a NUL secret', `${randomUUID()}.\u0000`],
    ])('answers 401 to %s', async (_label, refreshToken) => {
      const { url } = await isolated();
      const response = await request(url)
        .post('/api/v1/login/refresh')
        .send({ refresh_token: refreshToken })
        .expect(401);
      expect(response.body).toEqual({ detail: 'Could not validate credentials' });
    });

    it('answers 401 to an access token, and 422 only to a body without a string', async () => {
      const { app, url } = await isolated();
      const user = await createUser(app);
      const { access_token } = await login(app, user.email, user.password);
      await request(url).post('/api/v1/login/refresh').send({ refresh_token: access_token }).expect(401);
      await request(url).post('/api/v1/login/refresh').send({ refresh_token: 42 }).expect(422);
      await request(url).post('/api/v1/login/refresh').send({}).expect(422);
    });
  });

  describe('7. one normalisation of emails (NFKC, then lower case) everywhere', () => {
    const local = () => `nfkc${randomUUID().slice(0, 8)}`;
    const fullwidth = (text: string) =>
      [...text].map((c) => (/[a-z0-9]/.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join('');

    it('treats a fullwidth look-alike as the same account, for sign-up, login and limits', async () => {
      const { app, url } = await isolated();
      const name = local();
      const user = await createUser(app, { email: `${name}@example.com` });
      const lookalike = `${fullwidth(name)}@example.com`;
      const signup = await request(url)
        .post('/api/v1/users/signup')
        .send({ email: lookalike, password: 'long-enough-password' })
        .expect(400);
      expect(signup.body).toEqual({ detail: 'The user with this email already exists in the system' });
      const { access_token } = await login(app, lookalike.toUpperCase(), user.password);
      expect((await request(url).get('/api/v1/users/me').set(bearer(access_token)).expect(200)).body.id).toBe(user.id);

      const variants = [lookalike, user.email.toUpperCase(), lookalike.toUpperCase(), user.email];
      expect(statuses(await parallel(10, (i) => loginAttempt(url, variants[i % 4], 'wrong-password')))).toEqual({
        400: 10,
      });
      await loginAttempt(url, user.email, user.password).expect(429);
    });

    it("does not fold a dotted capital I into another account's i, as PostgreSQL's lower() did", async () => {
      const { app, url } = await isolated();
      const name = local();
      const user = await createUser(app, { email: `${name}i@example.com` });
      await loginAttempt(url, `${name}\u0130@example.com`, user.password).expect(400);
    });
  });

  describe('8. knowing a session id is not enough to end that session', () => {
    const sessionOf = (accessToken: string) =>
      (JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString()) as { sid: string }).sid;

    it('a forged secret is a 401 and the session goes on; only a genuine earlier secret revokes it', async () => {
      const { app, url } = await isolated();
      const user = await createUser(app);
      const first = await login(app, user.email, user.password);
      const sid = sessionOf(first.access_token);
      for (const forged of [`${sid}.x`, `${sid}.${'A'.repeat(43)}`])
        await request(url).post('/api/v1/login/refresh').send({ refresh_token: forged }).expect(401);

      const rotated = await request(url)
        .post('/api/v1/login/refresh')
        .send({ refresh_token: first.refresh_token })
        .expect(200);
      await request(url).post('/api/v1/login/refresh').send({ refresh_token: first.refresh_token }).expect(401);
      await request(url).post('/api/v1/login/refresh').send({ refresh_token: rotated.body.refresh_token }).expect(401);
      await request(url).get('/api/v1/users/me').set(bearer(rotated.body.access_token)).expect(401);
    });
  });

  describe('9. an email is a plain addr-spec', () => {
    it.each([
      'x<victim@t.example>',
      '"x"<v@t.example>',
      'grp:v@t.example;',
      '"quoted"@t.example',
      'a@[127.0.0.1]',
      'x\uff1cv@t.example',
    ])('refuses %j with 422', async (email) => {
      const { url } = await isolated();
      const response = await request(url)
        .post('/api/v1/users/signup')
        .send({ email, password: 'long-enough-password' })
        .expect(422);
      expect(response.body.detail[0]).toMatchObject({ type: 'value_error', loc: ['body', 'email'] });
    });

    it.each(['first.last+tag@example.com', 'ünïcode@example.com', "o'brien@sub.example.org"])(
      'accepts %j',
      async (email) => {
        const { url } = await isolated();
        const unique = email.replace('@', `${randomUUID().slice(0, 6)}@`);
        await request(url)
          .post('/api/v1/users/signup')
          .send({ email: unique, password: 'long-enough-password' })
          .expect(201);
      },
    );
  });

  describe('11. a role change never serves the other view from the cache', () => {
    it('a demoted superuser does not get the cached all-users list, even with counters reset', async () => {
      const { app: shared } = await isolated();
      const owner = await createUser(shared);
      const ownerToken = (await login(shared, owner.email, owner.password)).access_token;
      const item = await request(shared.getHttpServer())
        .post('/api/v1/items/')
        .set(bearer(ownerToken))
        .send({ title: 'not yours' })
        .expect(201);

      // A Redis that came back empty: every version counter reads 0 again.
      const { app, url } = await isolated();
      const demoted: TestUser = await createUser(app, { is_superuser: true });
      const token = (await login(app, demoted.email, demoted.password)).access_token;
      const asSuperuser = await request(url).get('/api/v1/items/?limit=1000').set(bearer(token)).expect(200);
      expect(asSuperuser.body.data.map((row: { id: string }) => row.id)).toContain(item.body.id);

      const admin = await loginAsSuperuser(app);
      await request(url)
        .patch(`/api/v1/users/${demoted.id}`)
        .set(bearer(admin.access_token))
        .send({ is_superuser: false })
        .expect(200);
      const asUser = await request(url).get('/api/v1/items/?limit=1000').set(bearer(token)).expect(200);
      expect(asUser.body).toEqual({ data: [], count: 0 });
    });
  });

  describe('13. recovery does the same work for registered and unknown addresses', () => {
    it('queues one job either way and looks neither up: the worker does, out of the API process', async () => {
      const { app, url } = await isolated();
      const user = await createUser(app);
      const lookups = [
        jest.spyOn(app.get(UsersService), 'findByEmail'),
        jest.spyOn(app.get(PasswordResetMail), 'compose'),
      ];
      const queued = captureRecoveries(app);
      const unknown = uniqueEmail('nobody');
      const answers = [
        await request(url).post(`/api/v1/password-recovery/${user.email}`),
        await request(url).post(`/api/v1/password-recovery/${unknown}`),
      ];
      expect(answers.map((answer) => [answer.status, answer.body])).toEqual([
        [200, { message: 'If that email is registered, we sent a password recovery link' }],
        [200, { message: 'If that email is registered, we sent a password recovery link' }],
      ]);
      expect(queued.mock.calls.map(([job]) => job.email)).toEqual([user.email, unknown]);
      for (const lookup of lookups) expect(lookup).not.toHaveBeenCalled();
    });
  });

  describe('reset-password answers in the contract order', () => {
    it('a user deactivated after the email was sent gets 400 Inactive user', async () => {
      const { app, url } = await isolated();
      const user = await createUser(app);
      const token = await resetTokenFor(app, user.email);
      const admin = await loginAsSuperuser(app);
      await request(url)
        .patch(`/api/v1/users/${user.id}`)
        .set(bearer(admin.access_token))
        .send({ is_active: false })
        .expect(200);
      const response = await request(url)
        .post('/api/v1/reset-password/')
        .send({ token, new_password: 'another-password' })
        .expect(400);
      expect(response.body).toEqual({ detail: 'Inactive user' });
    });
  });

  it('keeps no email address in Redis: limit keys are hashed', async () => {
    const { app, url } = await isolated();
    const email = uniqueEmail('hashed');
    await loginAttempt(url, email, 'wrong-password').expect(400);
    const redis = new Redis(process.env.REDIS_URL!);
    try {
      const keys = await redis.keys(`${app.get(AppConfig).redisKeyPrefix}:*`);
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.join('\n')).not.toContain(email);
    } finally {
      redis.disconnect();
    }
  });
});
