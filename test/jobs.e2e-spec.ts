import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { JwtService } from '@nestjs/jwt';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { AppConfig, loadConfig } from '../src/config/app-config.js';
import { JobQueue } from '../src/modules/jobs/job-queue.service.js';
import { SmtpCatcher } from './utils/smtp-catcher.js';
import { createTestApp } from './utils/test-app.js';
import { bearer, createUser, login, loginAsSuperuser, signedInUser, uniqueEmail } from './utils/users.js';
import { WorkerProcess } from './utils/worker-process.js';

const RECOVERY_SENT = 'If that email is registered, we sent a password recovery link';

describe('background jobs and email', () => {
  let smtp: SmtpCatcher;
  let worker: WorkerProcess;
  let app: NestFastifyApplication;
  let admin: string;
  let config: AppConfig;
  const http = () => request(app.getHttpServer());
  const workerEnv = () => ({
    ...smtp.env(),
    WORKER_LOCK_DURATION_MS: '2000',
    JOB_BACKOFF_MS: '100',
  });

  async function jobState(id: string, until: string, withinMs = 10_000) {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const response = await http().get(`/api/v1/jobs/${id}`).set(bearer(admin)).expect(200);
      if (response.body.state === until || Date.now() > deadline) return response.body;
      await sleep(50);
    }
  }

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    worker = await new WorkerProcess(workerEnv()).start();
    config = { ...loadConfig({ ...process.env, ...workerEnv() }) };
    app = await createTestApp({ smtp: config.smtp });
    admin = (await loginAsSuperuser(app)).access_token;
  });

  afterAll(async () => {
    await app.close();
    await worker.stop();
    await smtp.stop();
  });

  describe('password recovery', () => {
    it('emails a link whose token resets the password once, ending old sessions', async () => {
      const user = await createUser(app);
      const oldSession = await login(app, user.email, user.password);
      const requested = Date.now();
      const response = await http()
        .post(`/api/v1/password-recovery/${user.email}`)
        .set('X-Request-ID', 'recovery-flow-1')
        .expect(200);
      expect(response.body).toEqual({ message: RECOVERY_SENT });

      const mail = await smtp.waitFor(user.email, 'Password recovery', 5000);
      expect(Date.now() - requested).toBeLessThan(5000);
      expect(mail.subject).toBe(`${config.projectName} - Password recovery for user ${user.email}`);
      expect(mail.from?.text).toContain('noreply@example.com');
      const link = (mail.text ?? '').match(/(\S+\/reset-password\?token=\S+)/)?.[1];
      expect(link).toBeDefined();
      expect(link!.startsWith(`${config.frontendHost}/reset-password?token=`)).toBe(true);
      expect(mail.html).toContain(link!.replace(/&/g, '&#38;'));
      const token = decodeURIComponent(new URL(link!).searchParams.get('token')!);
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as {
        iat: number;
        exp: number;
      };
      expect(claims.exp - claims.iat).toBe(config.emailResetTokenExpireHours * 3600);
      await worker.waitForOutput('recovery-flow-1');

      await http()
        .post('/api/v1/reset-password/')
        .send({ token, new_password: 'recovered password' })
        .expect(200, { message: 'Password updated successfully' });
      await http()
        .post('/api/v1/login/access-token')
        .type('form')
        .send({ username: user.email, password: user.password })
        .expect(400);
      await login(app, user.email, 'recovered password');
      await http().get('/api/v1/users/me').set(bearer(oldSession.access_token)).expect(401);
      const reused = await http()
        .post('/api/v1/reset-password/')
        .send({ token, new_password: 'another password' })
        .expect(400);
      expect(reused.body).toEqual({ detail: 'Invalid token' });
    });

    it('answers the same for an unknown email and sends nothing', async () => {
      const unknown = uniqueEmail('nobody');
      const response = await http()
        .post(`/api/v1/password-recovery/${unknown}`)
        .set('X-Request-ID', 'recovery-of-nobody')
        .expect(200);
      expect(response.body).toEqual({ message: RECOVERY_SENT });
      // The worker took the job and found no account: nothing was sent, and nothing will be.
      await worker.waitForLine(['"request_id":"recovery-of-nobody"', 'no account has that address']);
      expect(smtp.to(unknown)).toHaveLength(0);
    });

    it('refuses bad, expired and foreign tokens, and inactive users', async () => {
      const user = await createUser(app);
      const jwt = new JwtService({ secret: process.env.SECRET_KEY });
      const now = Math.floor(Date.now() / 1000);
      const expired = await jwt.signAsync({
        sub: user.id,
        typ: 'password-reset',
        ver: 0,
        iat: now - 7200,
        exp: now - 60,
      });
      const wrongType = await jwt.signAsync({ sub: user.id, typ: 'access', ver: 0 });
      const unknownUser = await jwt.signAsync(
        { sub: randomUUID(), typ: 'password-reset', ver: 0 },
        { expiresIn: 3600 },
      );
      for (const token of ['garbage', expired, wrongType, unknownUser]) {
        const response = await http()
          .post('/api/v1/reset-password/')
          .send({ token, new_password: 'a new password' })
          .expect(400);
        expect(response.body).toEqual({ detail: 'Invalid token' });
      }
      const inactive = await createUser(app, { is_active: false });
      const token = await jwt.signAsync({ sub: inactive.id, typ: 'password-reset', ver: 0 }, { expiresIn: 3600 });
      expect(
        (await http().post('/api/v1/reset-password/').send({ token, new_password: 'a new password' }).expect(400)).body,
      ).toEqual({
        detail: 'Inactive user',
      });
      await http().post('/api/v1/reset-password/').send({ token: 'x', new_password: 'short' }).expect(422);
    });

    it('previews the recovery email for a superuser only', async () => {
      const user = await createUser(app);
      const preview = await http()
        .post(`/api/v1/password-recovery-html-content/${user.email}`)
        .set(bearer(admin))
        .expect(200);
      expect(preview.headers['content-type']).toMatch(/^text\/html/);
      expect(preview.text).toContain(`${config.frontendHost}/reset-password?token=`);
      const missing = await http()
        .post(`/api/v1/password-recovery-html-content/${uniqueEmail()}`)
        .set(bearer(admin))
        .expect(404);
      expect(missing.body).toEqual({ detail: 'The user with this username does not exist in the system.' });
      const normal = await signedInUser(app);
      await http().post(`/api/v1/password-recovery-html-content/${user.email}`).set(bearer(normal.token)).expect(403);
    });
  });

  describe('utils and job status', () => {
    it('queues a test email that the worker delivers', async () => {
      const to = uniqueEmail('test-email');
      const response = await http().post(`/api/v1/utils/test-email/?email_to=${to}`).set(bearer(admin)).expect(202);
      expect(response.body).toEqual({ message: 'Test email sent', job_id: expect.any(String) });
      const mail = await smtp.waitFor(to, 'Test email');
      expect(mail.subject).toBe(`${config.projectName} - Test email`);
      expect((await jobState(response.body.job_id, 'completed')).state).toBe('completed');
      await http().post('/api/v1/utils/test-email/?email_to=not-an-email').set(bearer(admin)).expect(422);
    });

    it('runs a test job and reports its echoed result', async () => {
      const response = await http()
        .post('/api/v1/utils/test-queue/')
        .set(bearer(admin))
        .send({ message: 'ping' })
        .expect(202);
      const job = await jobState(response.body.job_id, 'completed');
      expect(job).toEqual({
        id: response.body.job_id,
        name: 'echo',
        state: 'completed',
        attempts: 1,
        result: { message: 'ping' },
        failed_reason: null,
        created_at: expect.any(String),
        finished_at: expect.any(String),
      });
      await http().post('/api/v1/utils/test-queue/').set(bearer(admin)).send({}).expect(422);
    });

    it('answers 404 for an unknown job and 403 to normal users', async () => {
      expect((await http().get(`/api/v1/jobs/${randomUUID()}`).set(bearer(admin)).expect(404)).body).toEqual({
        detail: 'Job not found',
      });
      const normal = await signedInUser(app);
      await http().post('/api/v1/utils/test-queue/').set(bearer(normal.token)).send({ message: 'x' }).expect(403);
      await http().post(`/api/v1/utils/test-email/?email_to=${uniqueEmail()}`).set(bearer(normal.token)).expect(403);
      await http().get(`/api/v1/jobs/${randomUUID()}`).set(bearer(normal.token)).expect(403);
    });

    it('answers the public health check', async () => {
      await http().get('/api/v1/utils/health-check/').expect(200, 'true');
    });

    it('emails a welcome message when a superuser creates an account', async () => {
      const user = await createUser(app);
      const mail = await smtp.waitFor(user.email, 'New account');
      expect(mail.subject).toBe(`${config.projectName} - New account for user ${user.email}`);
      expect(mail.text).not.toContain(user.password);
    });
  });

  describe('a worker killed mid-way', () => {
    it('loses no job and sends each email once when a new worker takes over', async () => {
      const jobs = app.get(JobQueue);
      const run = randomUUID().slice(0, 8);
      const addresses = Array.from({ length: 200 }, (_, i) => `bulk-${run}-${i}@example.com`);
      const started = Date.now();
      for (const to of addresses) await jobs.sendEmail({ to, content: { template: 'test', projectName: 'bulk', to } });

      while (smtp.messages.filter((mail) => mail.subject === 'bulk - Test email').length < 50) await sleep(10);
      await worker.stop('SIGKILL');
      worker = await new WorkerProcess(workerEnv()).start();

      const received = () =>
        smtp.messages.filter((mail) => mail.subject === 'bulk - Test email' && mail.text?.includes(run));
      const deadline = Date.now() + 50_000;
      while (new Set(received().map((mail) => mail.text)).size < 200 && Date.now() < deadline) await sleep(100);
      const elapsed = Date.now() - started;

      // Every job's effect happened: each address got its email. A send that completed just
      // before the kill, but was not yet marked, can repeat: at most one per concurrent job.
      const delivered = received().map((mail) => JSON.stringify(mail.to));
      expect(new Set(delivered).size).toBe(200);
      const duplicates = delivered.length - new Set(delivered).size;
      process.stdout.write(
        `200 jobs with a SIGKILLed worker: delivered 200 distinct, ${duplicates} duplicates, ${elapsed} ms\n`,
      );
      expect(duplicates).toBeLessThanOrEqual(config.workerConcurrency);
    }, 90_000);
  });
});
