import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { freePort, type RunningService, startRedis } from '../scripts/local-services.js';
import { JobQueue } from '../src/modules/jobs/job-queue.service.js';
import { SmtpCatcher } from './utils/smtp-catcher.js';
import { createTestApp } from './utils/test-app.js';
import { bearer, loginAsSuperuser, uniqueEmail } from './utils/users.js';
import { WorkerProcess } from './utils/worker-process.js';

describe('enqueueing while Redis is down', () => {
  let app: NestFastifyApplication;
  let redis: RunningService;
  let dataDir: string;
  let port: number;
  let admin: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'queue-redis-'));
    port = await freePort();
    redis = await startRedis({ dataDir, port, persistent: false });
    app = await createTestApp({ redisUrl: redis.url });
    admin = (await loginAsSuperuser(app)).access_token;
  });

  afterAll(async () => {
    await app.close();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 503 Queue unavailable within 2 s, then works again once Redis is back', async () => {
    await http().post('/api/v1/utils/test-queue/').set(bearer(admin)).send({ message: 'before' }).expect(202);
    await redis.stop();

    for (const send of [
      () => http().post('/api/v1/utils/test-queue/').set(bearer(admin)).send({ message: 'during' }),
      () => http().post(`/api/v1/utils/test-email/?email_to=${uniqueEmail()}`).set(bearer(admin)),
      () => http().post(`/api/v1/password-recovery/${uniqueEmail()}`),
    ]) {
      const started = Date.now();
      const response = await send();
      expect(Date.now() - started).toBeLessThan(2000);
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ detail: 'Queue unavailable' });
    }
    const ready = await http().get('/health/ready').expect(503);
    expect(ready.body.error.queue.status).toBe('down');

    redis = await startRedis({ dataDir, port, persistent: false });
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 202 && Date.now() < deadline) {
      status = (await http().post('/api/v1/utils/test-queue/').set(bearer(admin)).send({ message: 'after' })).status;
      if (status !== 202) await sleep(200);
    }
    expect(status).toBe(202);
  });
});

describe('worker shutdown', () => {
  it('finishes its active job on SIGTERM before exiting', async () => {
    const smtp = await new SmtpCatcher().start();
    smtp.delayMs = 1500;
    const env = {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_TLS: 'false',
      EMAILS_FROM_EMAIL: 'noreply@example.com',
    };
    const worker = await new WorkerProcess(env).start();
    const app = await createTestApp();
    try {
      const to = uniqueEmail('slow');
      const jobId = await app
        .get(JobQueue)
        .sendEmail({ to, content: { template: 'test', projectName: 'shutdown', to } });
      while (smtp.inFlight === 0) await sleep(20);

      const exitCode = await worker.stop('SIGTERM');
      expect(exitCode).toBe(0);
      expect(smtp.to(to)).toHaveLength(1);
      expect((await app.get(JobQueue).describe(jobId)).state).toBe('completed');
    } finally {
      await app.close();
      await worker.stop('SIGKILL');
      await smtp.stop();
    }
  }, 30_000);
});
