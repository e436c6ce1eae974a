import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { UNANSWERED_QUERY_MARGIN_MS } from '../../src/database/data-source-options.js';
import type { ApiProcess } from '../utils/api-process.js';
import { createItem, signUp } from './api-session.js';
import { APP_NAME, FaultStack, waitUntil } from './fault-stack.js';
import { FigureSheet } from './figure-sheet.js';
import {
  firstAfter,
  HttpLoad,
  isNoAnswer,
  latency,
  type LoadRequest,
  type Sample,
  startedBetween,
} from './http-load.js';

const CONNECTIONS = 16;
const BASELINE_MS = 2000;
const OUTAGE_MS = 10_000;
const FREEZE_MS = 8000;
/** The API's bound on waiting for a database connection (DB_CONNECT_TIMEOUT_MS, its default). */
const CONNECT_TIMEOUT_MS = 2000;
/** The server's bound on a statement (DB_STATEMENT_TIMEOUT_MS, its default). */
const STATEMENT_TIMEOUT_MS = 5000;

const isSuccess = (sample: Sample) => sample.status >= 200 && sample.status < 300;
const count = (samples: Sample[], which: (sample: Sample) => boolean) => samples.filter(which).length;

/** Ends every session of the API on the server; returns how many were ended. */
async function terminateAppBackends(serverUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const ended = await client.query(
      'SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity WHERE application_name = $1',
      [APP_NAME],
    );
    return ended.rows.filter((row: { ended: boolean }) => row.ended).length;
  } finally {
    await client.end();
  }
}

/**
 * PostgreSQL stops, or ends every connection of the API, while 16 clients list and create items
 * (with the response cache and the auth state cache off, every request needs the database, its
 * authentication included): the API answers 503 fast
 * while it cannot reach the database, never 500 and never hangs, keeps running, and answers
 * 200 again soon after.
 */
describe('PostgreSQL fails under load', () => {
  let stack: FaultStack;
  let api: ApiProcess;
  let token: string;

  beforeAll(async () => {
    stack = await FaultStack.start();
    // Neither the response cache nor the in-memory auth state: every request needs the database.
    api = await stack.startApi({
      CACHE_ENABLED: 'false',
      AUTH_CACHE_TTL_SECONDS: '0',
      DB_CONNECT_TIMEOUT_MS: String(CONNECT_TIMEOUT_MS),
      DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS),
    });
    token = await signUp(api.base);
    await createItem(api.base, token, 'first');
  }, 120_000);

  afterAll(() => stack?.stop(), 60_000);

  const databaseLoad = () =>
    new HttpLoad({
      base: api.base,
      connections: CONNECTIONS,
      maxMs: 60_000,
      maxRequests: 1_000_000,
      timeoutMs: 10_000,
      next: (sequence): LoadRequest =>
        sequence % 2 === 0
          ? { path: '/api/v1/items/?limit=5', headers: { Authorization: `Bearer ${token}` } }
          : {
              path: '/api/v1/items/',
              method: 'POST',
              headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
              body: JSON.stringify({ title: `load ${sequence}` }),
            },
    });

  /** The load, past its first success and a baseline. */
  async function loadUnderWay(): Promise<HttpLoad> {
    const load = databaseLoad();
    await waitUntil(() => load.samples.some(isSuccess), 10_000, 'a first success');
    await sleep(BASELINE_MS);
    return load;
  }

  it('answers 503 while PostgreSQL is stopped for 10 s, and 200 within 5 s of its return, without a restart', async () => {
    const apiPid = api.pid;
    const load = await loadUnderWay();
    try {
      const stoppingAt = Date.now();
      await stack.stopPostgres();
      const stoppedAt = Date.now();
      await sleep(OUTAGE_MS - (stoppedAt - stoppingAt));
      const restartingAt = Date.now();
      await stack.startPostgres();
      const backAt = Date.now();
      const successIn = await waitUntil(
        () => firstAfter(load.samples, backAt, isSuccess),
        10_000,
        'a success after PostgreSQL returned',
      );
      await sleep(1000);
      const samples = await load.stop();

      const whileDown = startedBetween(samples, stoppedAt, restartingAt);
      const fromStop = startedBetween(samples, stoppingAt, Infinity);
      new FigureSheet('PostgreSQL stopped 10 s under load (list and create items, caches off)')
        .add('requests while it was down', whileDown.length, '', { atLeast: 1 })
        .add(
          'requests while it was down answered other than 503',
          count(whileDown, (s) => s.status !== 503),
          '',
          { equals: 0 },
        )
        .add(
          '500 answers from the stop on',
          count(fromStop, (s) => s.status === 500),
          '',
          { equals: 0 },
        )
        .add(
          'requests without an answer (connection error, timeout) from the stop on',
          count(fromStop, isNoAnswer),
          '',
          { equals: 0 },
        )
        .add('slowest answer while it was down', Math.max(0, ...whileDown.map(latency)), ' ms', {
          atMost: CONNECT_TIMEOUT_MS,
        })
        .add('API restarts', api.restartedSince(apiPid) ? 1 : 0, '', { equals: 0 })
        .add('time from PostgreSQL back (accepting connections) to the first 2xx', successIn, ' ms', { atMost: 5000 })
        .check();
    } finally {
      await load.stop();
    }
  }, 90_000);

  it('recovers without a restart when every connection of the API is terminated (pg_terminate_backend)', async () => {
    const apiPid = api.pid;
    const load = await loadUnderWay();
    try {
      const terminatedAt = Date.now();
      const ended = await terminateAppBackends(stack.postgresUrl);
      const successIn = await waitUntil(
        () => firstAfter(load.samples, terminatedAt, isSuccess),
        10_000,
        'a success after the termination',
      );
      await sleep(2000);
      const samples = await load.stop();

      const after = startedBetween(samples, terminatedAt, Infinity);
      const lastFailureEnd = Math.max(terminatedAt, ...after.filter((s) => !isSuccess(s)).map((s) => s.end));
      new FigureSheet('All API connections terminated (pg_terminate_backend) under load')
        .add('connections terminated', ended, '', { atLeast: 1 })
        .add(
          '503 answers after the termination',
          count(after, (s) => s.status === 503),
          '',
        )
        .add(
          '500 answers after the termination',
          count(after, (s) => s.status === 500),
          '',
          { equals: 0 },
        )
        .add(
          'answers other than 2xx and 503 after the termination',
          count(after, (s) => !isSuccess(s) && s.status !== 503),
          '',
          { equals: 0 },
        )
        .add('requests without an answer after the termination', count(after, isNoAnswer), '', { equals: 0 })
        .add('time from the termination to the first 2xx', successIn, ' ms', { atMost: 5000 })
        .add('time from the termination to the last non-2xx', lastFailureEnd - terminatedAt, ' ms', { atMost: 5000 })
        .add('API restarts', api.restartedSince(apiPid) ? 1 : 0, '', { equals: 0 })
        .check();
    } finally {
      await load.stop();
    }
  }, 60_000);

  it('answers 503 within the query bound while PostgreSQL is frozen for 8 s (SIGSTOP), and 2xx after, without a restart', async () => {
    const apiPid = api.pid;
    const load = await loadUnderWay();
    try {
      const frozenAt = Date.now();
      const thaw = stack.freezePostgres();
      await sleep(FREEZE_MS);
      thaw();
      const thawedAt = Date.now();
      const successIn = await waitUntil(
        () => firstAfter(load.samples, thawedAt, isSuccess),
        10_000,
        'a success after PostgreSQL resumed',
      );
      await sleep(1000);
      const samples = await load.stop();

      // Requests already waiting on PostgreSQL when it froze count too: theirs is the longest wait.
      const overlapping = samples.filter((s) => s.end >= frozenAt && s.start < thawedAt);
      new FigureSheet('PostgreSQL frozen 8 s (SIGSTOP of all its processes) under load (caches off)')
        .add('requests in flight or started while it was frozen', overlapping.length, '', { atLeast: 1 })
        .add(
          'of those, answered other than 2xx and 503',
          count(overlapping, (s) => !isSuccess(s) && s.status !== 503),
          '',
          { equals: 0 },
        )
        .add('of those, without an answer', count(overlapping, isNoAnswer), '', { equals: 0 })
        .add('slowest answer', Math.max(0, ...overlapping.map(latency)), ' ms', {
          atMost: STATEMENT_TIMEOUT_MS + UNANSWERED_QUERY_MARGIN_MS + 1000,
        })
        .add('API restarts', api.restartedSince(apiPid) ? 1 : 0, '', { equals: 0 })
        .add('time from PostgreSQL resumed (SIGCONT) to the first 2xx', successIn, ' ms', { atMost: 5000 })
        .check();
    } finally {
      await load.stop();
    }
  }, 60_000);
});
