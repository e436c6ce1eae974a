import { setTimeout as sleep } from 'node:timers/promises';
import { createItem, signUp } from './api-session.js';
import { FaultStack } from './fault-stack.js';
import { FigureSheet } from './figure-sheet.js';
import { HttpLoad, isNoAnswer, type LoadRequest, startedBetween } from './http-load.js';

const CONNECTIONS = 16;
const LOAD_BEFORE_SIGTERM_MS = 2000;
const DRAIN_MS = 2000;
const SHUTDOWN_TIMEOUT_MS = 10_000;
/** How often the stand-in load balancer probes readiness: well within the drain, as it must be. */
const PROBE_INTERVAL_MS = 1000;

/**
 * SIGTERM while 16 keep-alive clients read and create items, behind a stand-in load balancer:
 * it probes /health/ready every second and sends no new request once that answers other than
 * 200. Every request sent is answered with a success, and the process exits 0.
 * (test/shutdown-under-load.e2e-spec.ts covers clients that keep on sending past the drain.)
 */
describe('API SIGTERM under load', () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await FaultStack.start();
  }, 120_000);

  afterAll(() => stack?.stop(), 60_000);

  it('answers every request that reached it, then exits 0', async () => {
    const api = await stack.startApi({
      SHUTDOWN_DRAIN_MS: String(DRAIN_MS),
      SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
    });
    const token = await signUp(api.base);
    const itemId = await createItem(api.base, token, 'read under shutdown');
    let inRotation = true;
    let takenOutAt = 0;
    const probe = (async () => {
      for (let attempt = 0; inRotation && attempt < 30_000 / PROBE_INTERVAL_MS; attempt++) {
        await sleep(PROBE_INTERVAL_MS);
        const status = await fetch(`${api.base}/health/ready`).then(
          (response) => response.status,
          () => 0,
        );
        if (status !== 200) [inRotation, takenOutAt] = [false, Date.now()];
      }
    })();
    const load = new HttpLoad({
      base: api.base,
      connections: CONNECTIONS,
      maxMs: 30_000,
      maxRequests: 1_000_000,
      timeoutMs: 10_000,
      admit: () => inRotation,
      next: (sequence): LoadRequest =>
        sequence % 2 === 0
          ? { path: `/api/v1/items/${itemId}`, headers: { Authorization: `Bearer ${token}` } }
          : {
              path: '/api/v1/items/',
              method: 'POST',
              headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
              body: JSON.stringify({ title: `shutdown ${sequence}` }),
            },
    });
    try {
      await sleep(LOAD_BEFORE_SIGTERM_MS);
      const sigtermAt = Date.now();
      const exitCode = await api.stop('SIGTERM');
      const exitedAt = Date.now();
      await Promise.all([load.finished(), probe]);

      const samples = load.samples;
      new FigureSheet('API SIGTERM under load (16 clients reading and creating items, readiness probed every second)')
        .add('requests in all', samples.length, '')
        .add(
          'requests started after SIGTERM (during the drain)',
          startedBetween(samples, sigtermAt, Infinity).length,
          '',
          { atLeast: 1 },
        )
        .add(
          'failed requests (no answer, or other than 2xx)',
          samples.filter((s) => isNoAnswer(s) || s.status < 200 || s.status >= 300).length,
          '',
          {
            equals: 0,
          },
        )
        .add('time from SIGTERM to readiness seen failing', (takenOutAt || Infinity) - sigtermAt, ' ms', {
          atMost: DRAIN_MS,
        })
        .add('exit code', exitCode ?? -1, '', { equals: 0 })
        .add('time from SIGTERM to exit', exitedAt - sigtermAt, ' ms', { atMost: SHUTDOWN_TIMEOUT_MS })
        .check();
    } finally {
      inRotation = false;
      await load.stop();
    }
  }, 60_000);
});
