import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { type AppConfig, loadConfig } from '../src/config/app-config.js';
import { SmtpCatcher } from './utils/smtp-catcher.js';
import { createTestApp } from './utils/test-app.js';
import { bearer, createUser, login, loginAsSuperuser, uniqueEmail } from './utils/users.js';
import { WorkerProcess } from './utils/worker-process.js';

const VERIFIED = { message: 'Email verified' };
const INVALID = { detail: 'Invalid token' };

/** Email verification through the real worker and a real SMTP server; and the login rule when it is required. */
describe('email verification', () => {
  let smtp: SmtpCatcher;
  let worker: WorkerProcess;
  let config: AppConfig;
  let app: NestFastifyApplication;
  /** The same API with EMAIL_VERIFICATION_REQUIRED=true and two verification emails per user per window. */
  let requiringApp: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  /** The token of the latest verification link sent to `email`, consumed from the catcher. */
  async function verificationToken(email: string): Promise<string> {
    const mail = await smtp.waitFor(email, 'Verify your email', 10_000);
    smtp.messages.splice(smtp.messages.indexOf(mail), 1);
    expect(mail.subject).toBe(`${config.projectName} - Verify your email ${email}`);
    const link = new RegExp(`${config.frontendHost}/verify-email\\?token=([\\w%.-]+)`).exec(mail.text ?? '');
    if (!link) throw new Error(`no verification link in: ${mail.text}`);
    return decodeURIComponent(link[1]);
  }

  async function signUp(on = app): Promise<{ id: string; email: string; password: string; token: string }> {
    const email = uniqueEmail('verify');
    const password = 'a long passphrase';
    const created = await request(on.getHttpServer())
      .post('/api/v1/users/signup')
      .send({ email, password })
      .expect(201);
    expect(created.body.is_verified).toBe(false);
    return { id: created.body.id, email, password, token: await verificationToken(email) };
  }

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    worker = await new WorkerProcess(smtp.env()).start();
    config = loadConfig({ ...process.env, ...smtp.env() });
    app = await createTestApp({ smtp: config.smtp });
    requiringApp = await createTestApp({ smtp: config.smtp, emailVerificationRequired: true, recoveryMaxPerEmail: 2 });
  }, 60_000);

  afterAll(async () => {
    await Promise.all([app?.close(), requiringApp?.close()]);
    await worker?.stop();
    await smtp?.stop();
  });

  it('mails a link on signup that verifies the address once', async () => {
    const user = await signUp();
    const response = await http().post('/api/v1/verify-email/').send({ token: user.token }).expect(200);
    expect(response.body).toEqual(VERIFIED);
    const session = await login(app, user.email, user.password);
    expect((await http().get('/api/v1/users/me').set(bearer(session.access_token))).body.is_verified).toBe(true);
    expect((await http().post('/api/v1/verify-email').send({ token: user.token }).expect(400)).body).toEqual(INVALID);
  });

  it('verifies once when the same link is used many times at once', async () => {
    const { token } = await signUp();
    const responses = await Promise.all(
      Array.from({ length: 6 }, () => http().post('/api/v1/verify-email/').send({ token })),
    );
    expect(responses.map((response) => response.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
  });

  it('refuses forged, expired, other-purpose and malformed tokens with 400 Invalid token', async () => {
    const user = await signUp();
    const jwt = new JwtService({ secret: config.secretKey, signOptions: { algorithm: config.jwtAlgorithm } });
    const claims = { sub: user.id, typ: 'email-verification', email: user.email };
    const tokens = [
      await jwt.signAsync({ ...claims, exp: Math.floor(Date.now() / 1000) - 10 }),
      await jwt.signAsync(claims), // never expires: refused
      await jwt.signAsync({ ...claims, typ: 'password-reset', ver: 0 }, { expiresIn: 600 }),
      await new JwtService({ secret: 'another-secret-of-enough-length-0123456789' }).signAsync(claims, {
        expiresIn: 600,
      }),
      user.token.slice(0, -2),
      'not-a-token',
      '',
      '\u0000'.repeat(10),
    ];
    for (const token of tokens) {
      const response = await http().post('/api/v1/verify-email/').send({ token });
      expect({ token, status: response.status, body: response.body }).toEqual({ token, status: 400, body: INVALID });
    }
    await http().post('/api/v1/verify-email/').send({ token: 12 }).expect(422);
    // The genuine link still works after all that.
    await http().post('/api/v1/verify-email/').send({ token: user.token }).expect(200);
  });

  it('makes a new email unverified and mails it a link; a link to the old address stops working', async () => {
    const verified = await signUp();
    await http().post('/api/v1/verify-email/').send({ token: verified.token }).expect(200);
    const session = await login(app, verified.email, verified.password);
    const newEmail = uniqueEmail('moved');
    const updated = await http().patch('/api/v1/users/me').set(bearer(session.access_token)).send({ email: newEmail });
    expect(updated.body).toMatchObject({ email: newEmail, is_verified: false });
    await http()
      .post('/api/v1/verify-email/')
      .send({ token: await verificationToken(newEmail) })
      .expect(200);
    expect((await http().get('/api/v1/users/me').set(bearer(session.access_token))).body.is_verified).toBe(true);

    // An unverified user's unused link, after a move to another address.
    const unverified = await signUp();
    const other = await login(app, unverified.email, unverified.password);
    await http()
      .patch('/api/v1/users/me')
      .set(bearer(other.access_token))
      .send({ email: uniqueEmail('moved') })
      .expect(200);
    expect((await http().post('/api/v1/verify-email/').send({ token: unverified.token }).expect(400)).body).toEqual(
      INVALID,
    );
  });

  it('counts accounts made by a superuser and the first superuser as verified', async () => {
    const made = await createUser(app);
    const admin = await loginAsSuperuser(app);
    const users = await http().get('/api/v1/users/?limit=1000').set(bearer(admin.access_token)).expect(200);
    const byId = new Map(users.body.data.map((u: { id: string; is_verified: boolean; email: string }) => [u.id, u]));
    expect(byId.get(made.id)).toMatchObject({ is_verified: true });
    const me = await http().get('/api/v1/users/me').set(bearer(admin.access_token)).expect(200);
    expect(me.body.is_verified).toBe(true);
  });

  it('never takes is_verified from a body', async () => {
    const email = uniqueEmail('forged');
    const created = await http()
      .post('/api/v1/users/signup')
      .send({ email, password: 'a long passphrase', is_verified: true })
      .expect(201);
    expect(created.body.is_verified).toBe(false);
    const session = await login(app, email, 'a long passphrase');
    const patched = await http()
      .patch('/api/v1/users/me')
      .set(bearer(session.access_token))
      .send({ is_verified: true });
    expect(patched.body.is_verified).toBe(false);
  });

  describe('sending the link again', () => {
    it('queues a new email (202), which verifies; refuses an address already verified', async () => {
      const user = await signUp();
      const session = await login(app, user.email, user.password);
      const sent = await http()
        .post('/api/v1/users/me/verification-email')
        .set(bearer(session.access_token))
        .expect(202);
      expect(sent.body).toEqual({ message: 'Verification email sent' });
      await http()
        .post('/api/v1/verify-email/')
        .send({ token: await verificationToken(user.email) })
        .expect(200);
      const again = await http()
        .post('/api/v1/users/me/verification-email')
        .set(bearer(session.access_token))
        .expect(400);
      expect(again.body).toEqual({ detail: 'Email already verified' });
      await http().post('/api/v1/users/me/verification-email').expect(401);
    });

    it('is limited per user like password recovery', async () => {
      const user = await signUp(requiringApp);
      // An unverified user cannot log in here; a session from the lenient app is as good.
      const session = await login(app, user.email, user.password);
      const send = () =>
        request(requiringApp.getHttpServer())
          .post('/api/v1/users/me/verification-email')
          .set(bearer(session.access_token));
      const statuses = await Promise.all([send(), send(), send(), send()]).then((all) => all.map((r) => r.status));
      expect(statuses.sort()).toEqual([202, 202, 429, 429]);
      const refused = await send();
      expect(refused.body).toEqual({ detail: 'Too many verification emails requested, please try again later' });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  describe('with EMAIL_VERIFICATION_REQUIRED=true', () => {
    const strict = () => request(requiringApp.getHttpServer());

    it('refuses the password login of an unverified account with 403 and makes no session, and lets it in once verified', async () => {
      const user = await signUp(requiringApp);
      const dataSource = requiringApp.get(DataSource);
      const sessions = async () =>
        Number((await dataSource.query('SELECT count(*) FROM auth_sessions WHERE user_id = $1', [user.id]))[0].count);

      const refused = await strict()
        .post('/api/v1/login/access-token')
        .type('form')
        .send({ username: user.email, password: user.password });
      expect(refused.status).toBe(403);
      expect(refused.body).toEqual({ detail: 'Email not verified' });
      expect(await sessions()).toBe(0);
      // A wrong password is told as it always is: the rule shows only to the account's owner.
      const wrong = await strict()
        .post('/api/v1/login/access-token')
        .type('form')
        .send({ username: user.email, password: 'not the password' });
      expect(wrong.status).toBe(400);

      await strict().post('/api/v1/verify-email/').send({ token: user.token }).expect(200);
      await strict()
        .post('/api/v1/login/access-token')
        .type('form')
        .send({ username: user.email, password: user.password })
        .expect(200);
      expect(await sessions()).toBe(1);
    });

    it('lets verified accounts in as before', async () => {
      const made = await createUser(requiringApp);
      await strict()
        .post('/api/v1/login/access-token')
        .type('form')
        .send({ username: made.email, password: made.password })
        .expect(200);
    });
  });
});
