import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiProcess } from '../utils/api-process.js';
import { createItem, signUp } from './api-session.js';
import { FaultStack, waitUntil } from './fault-stack.js';
import { FigureSheet } from './figure-sheet.js';
import { firstAfter, HttpLoad, isNoAnswer, percentile, percentOf, startedBetween } from './http-load.js';

const CONNECTIONS = 16;
const BASELINE_MS = 3000;
const FAULT_MS = 3000;
const ITEMS = 5;

/**
 * Cached reads (a user's item list and items, served with X-Cache HIT) go on while the Redis
 * behind the cache is frozen (SIGSTOP) or killed: every read is still a 200 from PostgreSQL, at
 * most slower by the cache timeout, and the cache serves hits again soon after Redis is back.
 */
describe('Redis fails under cached reads', () => {
  let stack: FaultStack;
  let api: ApiProcess;
  let token: string;
  const itemIds: string[] = [];

  beforeAll(async () => {
    stack = await FaultStack.start();
    api = await stack.startApi();
    token = await signUp(api.base);
    for (let i = 0; i < ITEMS; i++) itemIds.push(await createItem(api.base, token, `cached ${i}`));
  }, 120_000);

  afterAll(() => stack?.stop(), 60_000);

  const readLoad = () =>
    new HttpLoad({
      base: api.base,
      connections: CONNECTIONS,
      maxMs: 60_000,
      maxRequests: 1_000_000,
      timeoutMs: 5000,
      next: (sequence) => ({
        path: sequence % 2 === 0 ? '/api/v1/items/' : `/api/v1/items/${itemIds[sequence % ITEMS]}`,
        headers: { Authorization: `Bearer ${token}` },
      }),
    });

  /** Runs the read load through a baseline, `fail()`, FAULT_MS, `restore()`, and the recovery. */
  async function measure(
    scenario: string,
    fail: () => Promise<void> | void,
    restore: () => Promise<void> | void,
  ): Promise<void> {
    const apiPid = api.pid;
    const load = readLoad();
    try {
      await waitUntil(() => load.samples.some((sample) => sample.cache === 'HIT'), 10_000, 'a first cache hit');
      const baselineFrom = Date.now();
      await sleep(BASELINE_MS);
      const failedAt = Date.now();
      await fail();
      await sleep(FAULT_MS);
      await restore();
      const backAt = Date.now();
      const hitAgainIn = await waitUntil(
        () => firstAfter(load.samples, backAt, (sample) => sample.cache === 'HIT'),
        10_000,
        'a cache hit after Redis returned',
      );
      await sleep(1000);
      const samples = await load.stop();

      const baseline = startedBetween(samples, baselineFrom, failedAt);
      const affected = startedBetween(samples, failedAt, backAt + hitAgainIn);
      const fromFault = startedBetween(samples, failedAt, Infinity);
      const p99Before = percentile(baseline, 99);
      const p99During = percentile(affected, 99);
      new FigureSheet(scenario)
        .add('reads from the fault until the first hit after it', affected.length, '')
        .add(
          'error rate of the reads from the fault on (non-200 or no answer)',
          percentOf(fromFault, (s) => s.status !== 200 || isNoAnswer(s)),
          ' %',
          { equals: 0 },
        )
        .add('p99 before the fault', p99Before, ' ms')
        .add('p99 from the fault until the first hit', p99During, ' ms')
        .add('added p99', Math.max(0, p99During - p99Before), ' ms', { atMost: 1000 })
        .add('time from Redis back to the first X-Cache HIT', hitAgainIn, ' ms', { atMost: 5000 })
        .add('API restarts', api.restartedSince(apiPid) ? 1 : 0, '', { equals: 0 })
        .check();
    } finally {
      await load.stop();
    }
  }

  it('serves every read while Redis is frozen for 3 s (SIGSTOP), and hits again after SIGCONT', async () => {
    const pid = stack.redisPid;
    await measure(
      'Redis frozen 3 s (SIGSTOP) under cached reads',
      () => void process.kill(pid, 'SIGSTOP'),
      () => void process.kill(pid, 'SIGCONT'),
    );
  }, 60_000);

  it('serves every read while Redis is killed (SIGKILL) and restarted 3 s later, and hits again', async () => {
    await measure(
      'Redis killed (SIGKILL), restarted after 3 s, under cached reads',
      () => stack.killRedis(),
      () => stack.startRedis(),
    );
  }, 60_000);
});
