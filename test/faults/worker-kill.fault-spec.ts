import { Queue } from 'bullmq';
import { bullConnection } from '../../src/modules/jobs/bull-connection.js';
import { EMAIL_QUEUE } from '../../src/modules/jobs/queues.js';
import { SmtpCatcher } from '../utils/smtp-catcher.js';
import { superuserToken } from './api-session.js';
import { FaultStack, waitUntil } from './fault-stack.js';
import { FigureSheet } from './figure-sheet.js';
import { HttpLoad } from './http-load.js';
import { listeningSockets } from './listening-sockets.js';

const JOBS = 1000;
/** The first worker is killed once this many emails have arrived: mid-drain, with jobs active. */
const KILL_AFTER_EMAILS = 300;
const LOCK_DURATION_MS = 2000;
const WORKER_CONCURRENCY = 5;
/** About three times what a drain takes on 2 busy cores (30 to 35 s): a drain that stalls fails. */
const DRAIN_TARGET_MS = 90_000;

const recipient = (job: number) => `job-${job}@example.com`;

/**
 * 1,000 email jobs queued through the API; the worker draining them is SIGKILLed part way and
 * a new one started. Delivery is at least once: a job that was active in the killed worker runs
 * again once its lock expires. The email processor marks a job's email as sent right after the
 * SMTP server accepts it, so a rerun skips the send, except for a job killed between the
 * acceptance and the mark: that one sends the same message again, with the same Message-ID
 * (the job's id), which mail stores that deduplicate by Message-ID show once.
 */
describe('worker SIGKILLed while draining 1,000 email jobs', () => {
  let stack: FaultStack;
  let smtp: SmtpCatcher;
  let queue: Queue;

  beforeAll(async () => {
    smtp = await new SmtpCatcher().start();
    stack = await FaultStack.start();
    queue = new Queue(EMAIL_QUEUE, {
      connection: bullConnection(stack.env.REDIS_URL!, 'producer'),
      prefix: `${stack.env.REDIS_KEY_PREFIX}:bull`,
    });
  }, 120_000);

  afterAll(async () => {
    await queue?.close();
    await stack?.stop();
    await smtp?.stop();
  }, 60_000);

  it('loses no job and sends no second distinct email for any, and drains', async () => {
    const api = await stack.startApi();
    const token = await superuserToken(api.base, stack.env);
    const enqueue = new HttpLoad({
      base: api.base,
      connections: 16,
      maxMs: 60_000,
      maxRequests: JOBS,
      timeoutMs: 10_000,
      next: (job) => ({
        path: `/api/v1/utils/test-email/?email_to=${recipient(job)}`,
        method: 'POST',
        headers: { Authorization: `Bearer ${token}` },
      }),
    });
    await enqueue.finished();
    expect(enqueue.samples.filter((sample) => sample.status === 202)).toHaveLength(JOBS);

    const workerEnv = {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      SMTP_TLS: 'false',
      EMAILS_FROM_EMAIL: 'noreply@example.com',
      WORKER_LOCK_DURATION_MS: String(LOCK_DURATION_MS),
      WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
      // The processors' lines ("already sent ... not sending again") are at info level.
      LOG_LEVEL: 'info',
    };
    const drainStartedAt = Date.now();
    const first = await stack.startWorker(workerEnv);
    await waitUntil(() => smtp.messages.length >= KILL_AFTER_EMAILS, 60_000, `${KILL_AFTER_EMAILS} emails`);
    const activeAtKill = (await queue.getJobCounts('active')).active;
    await first.stop('SIGKILL');
    const killedAt = Date.now();
    const second = await stack.startWorker(workerEnv);
    const counts = await waitUntil(
      async () => {
        const now = await queue.getJobCounts('completed', 'failed', 'active', 'wait', 'delayed');
        return now.completed + now.failed >= JOBS && now;
      },
      DRAIN_TARGET_MS + 30_000,
      'every job to finish',
    );
    const drainedAt = Date.now();
    // This process runs the SMTP server.
    const sockets = listeningSockets([...stack.pids(), process.pid]);

    const messageIdsByRecipient = new Map<string, Set<string>>();
    for (const mail of smtp.messages) {
      const to = mail.to && !Array.isArray(mail.to) ? mail.to.text : '';
      messageIdsByRecipient.set(to, (messageIdsByRecipient.get(to) ?? new Set()).add(mail.messageId ?? ''));
    }
    const jobsWithoutEmail = Array.from({ length: JOBS }, (_, job) => recipient(job)).filter(
      (to) => !messageIdsByRecipient.has(to),
    ).length;
    const jobsWithTwoDistinctEmails = [...messageIdsByRecipient.values()].filter((ids) => ids.size > 1).length;
    const resentSameEmail = smtp.messages.length - messageIdsByRecipient.size - jobsWithTwoDistinctEmails;

    new FigureSheet('Worker SIGKILLed with 1,000 email jobs queued, a new one started')
      .add('jobs active in the killed worker', activeAtKill, '')
      .add('jobs lost (not completed)', JOBS - counts.completed, '', { equals: 0 })
      .add('jobs whose email never arrived', jobsWithoutEmail, '', { equals: 0 })
      .add('duplicated effects: jobs that sent two distinct emails', jobsWithTwoDistinctEmails, '', { equals: 0 })
      .add('same email (same Message-ID) re-sent by a job killed between send and sent mark', resentSameEmail, '', {
        atMost: WORKER_CONCURRENCY,
      })
      .add(
        'reruns that found the sent mark and skipped the send',
        second.output.split('not sending again').length - 1,
        '',
      )
      .add('time to drain, first worker start to the last job done', drainedAt - drainStartedAt, ' ms', {
        atMost: DRAIN_TARGET_MS,
      })
      .add('time from the kill to the last job done', drainedAt - killedAt, ' ms')
      .add('listening sockets of PostgreSQL, Redis, API, worker, SMTP server', sockets.length, '', { atLeast: 4 })
      .add('of those, bound to other than 127.0.0.1', sockets.filter((socket) => !socket.loopback).length, '', {
        equals: 0,
      })
      .check();
  }, 240_000);
});
