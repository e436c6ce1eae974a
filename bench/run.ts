import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import * as argon2 from '@node-rs/argon2';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { runtimeNodeOptions } from '../scripts/dockerfile.js';
import { ensureDatabase, freePort, type RunningService, startPostgres, startRedis } from '../scripts/local-services.js';
import { ARGON2_OPTIONS } from '../src/common/security/password-hasher.js';
import { bullConnection } from '../src/modules/jobs/bull-connection.js';
import { type AppConfig, loadConfig } from '../src/config/app-config.js';
import { jobDefaults } from '../src/modules/jobs/jobs.module.js';
import {
  canPin,
  LOAD_CPU,
  type LoadRequest,
  type LoadResult,
  medianRun,
  pinProcess,
  requireWrk,
  RssSampler,
  runLoad,
} from './load.js';
import { type Report, renderReport, type TargetFigures } from './report.js';
import { BenchServer } from './servers.js';

/**
 * `npm run bench`: the product beside the raw stack under it, on one machine in one run.
 * Servers run on CPU 0 and wrk on CPU 1 (PostgreSQL and Redis too, so both sides share them).
 * Every target gets a warm-up, then its runs alternate with those of the baseline it is
 * compared to, so a noisy neighbour hits both alike. `--smoke` runs a few seconds per target.
 */

const { values: options } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    // Another checkout, built: its API runs beside ours on the health probe and the cached read.
    compare: { type: 'string' },
    // Comma-separated target ids: measure only those, print their medians, write no report.
    only: { type: 'string' },
    // Also our API with tracing on (every trace sampled, exported to a sink that discards them).
    tracing: { type: 'boolean', default: false },
  },
});

const projectRoot = join(import.meta.dirname, '..', '..');
const settings = options.smoke
  ? { warmupSeconds: 1, runSeconds: 2, runs: 1, jobs: 300 }
  : { warmupSeconds: 5, runSeconds: 15, runs: 3, jobs: 10_000 };
const out = options.out ?? join(projectRoot, 'bench', 'results.md');
const CONNECTIONS = 64;
const LOGIN_CONNECTIONS = 16;
/** How long a started API idles before its resident memory is read. */
const IDLE_SETTLE_MS = 5_000;
const WORKER_CONCURRENCY = 10;
const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);

interface Target {
  id: string;
  label: string;
  server: BenchServer;
  request: LoadRequest;
}

function postgresPid(dataDir: string): number {
  return Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

/** PostgreSQL's processes and those it forks later, on the load CPU. */
function pinPostgres(dataDir: string): void {
  const postmaster = postgresPid(dataDir);
  pinProcess(postmaster, LOAD_CPU);
  for (const line of readFileSync(`/proc/${postmaster}/task/${postmaster}/children`, 'utf8')
    .split(' ')
    .filter(Boolean)) {
    pinProcess(Number(line), LOAD_CPU);
  }
}

async function measure(targets: Target[]): Promise<Map<string, TargetFigures>> {
  const runs = new Map<string, LoadResult[]>(targets.map((target) => [target.id, []]));
  const peaks = new Map<string, number>(targets.map((target) => [target.id, 0]));
  for (const target of targets) await runLoad({ ...target.request, seconds: settings.warmupSeconds });
  for (let run = 0; run < settings.runs; run++) {
    for (const target of targets) {
      const sampler = new RssSampler(target.server.pid);
      sampler.start();
      const result = await runLoad({ ...target.request, seconds: settings.runSeconds });
      peaks.set(target.id, Math.max(peaks.get(target.id)!, sampler.stop()));
      runs.get(target.id)!.push(result);
      log(
        `${target.id} run ${run + 1}: ${result.rps.toFixed(0)} req/s, p99 ${result.p99.toFixed(2)} ms, ${result.errors} errors`,
      );
    }
  }
  return new Map(
    targets.map((target) => [
      target.id,
      {
        id: target.id,
        label: target.label,
        server: target.server.name,
        ...medianRun(runs.get(target.id)!),
        errors: sum(runs.get(target.id)!.map((r) => r.errors)),
        peakRssMb: peaks.get(target.id)!,
      },
    ]),
  );
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);

/** The health probe's rate while logins load the server, beside its rate alone. */
async function measureLoginContention(
  health: LoadRequest,
  login: LoadRequest,
): Promise<{ alone: LoadResult; underLogin: LoadResult; login: LoadResult }> {
  const alone: LoadResult[] = [];
  const underLogin: LoadResult[] = [];
  const logins: LoadResult[] = [];
  for (let run = 0; run < settings.runs; run++) {
    alone.push(await runLoad({ ...health, seconds: settings.runSeconds }));
    const [healthResult, loginResult] = await Promise.all([
      runLoad({ ...health, seconds: settings.runSeconds }),
      runLoad({ ...login, seconds: settings.runSeconds }),
    ]);
    underLogin.push(healthResult);
    logins.push(loginResult);
    log(
      `health alone ${alone.at(-1)!.rps.toFixed(0)} req/s, under login ${healthResult.rps.toFixed(0)} req/s (logins ${loginResult.rps.toFixed(1)}/s)`,
    );
  }
  return { alone: medianRun(alone), underLogin: medianRun(underLogin), login: medianRun(logins) };
}

/** Jobs per second for `settings.jobs` echo jobs, queued while paused, through `start()`'s worker. */
async function drainJobs(config: AppConfig, prefix: string, start: () => Promise<BenchServer>): Promise<number> {
  // The job options the API's producers give, from the configuration the worker runs with.
  const queue = new Queue('echo', {
    connection: bullConnection(config.redisUrl, 'producer'),
    prefix,
    defaultJobOptions: jobDefaults(config),
  });
  try {
    await queue.obliterate({ force: true });
    await queue.pause();
    for (let offset = 0; offset < settings.jobs; offset += 1000) {
      const count = Math.min(1000, settings.jobs - offset);
      await queue.addBulk(
        Array.from({ length: count }, (_, index) => ({ name: 'echo', data: { message: `job ${offset + index}` } })),
      );
    }
    const worker = await start();
    try {
      const deadline = Date.now() + 60_000;
      while ((await queue.getWorkersCount()) === 0) {
        if (Date.now() > deadline) throw new Error(`${worker.name} never connected to the queue`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const began = performance.now();
      await queue.resume();
      const drainDeadline = Date.now() + 300_000;
      for (;;) {
        const counts = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children');
        const completed = await queue.getCompletedCount();
        if (sum(Object.values(counts)) === 0 && completed >= settings.jobs) break;
        if (Date.now() > drainDeadline) throw new Error(`${worker.name} did not drain ${settings.jobs} jobs in 300 s`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const failed = await queue.getFailedCount();
      if (failed > 0) throw new Error(`${worker.name}: ${failed} jobs failed`);
      return settings.jobs / ((performance.now() - began) / 1000);
    } finally {
      await worker.stop();
    }
  } finally {
    await queue.close();
  }
}

function hashCostMs(): number {
  const hashed = argon2.hashSync('correct horse battery staple', ARGON2_OPTIONS);
  const times: number[] = [];
  for (let i = 0; i < 9; i++) {
    const began = performance.now();
    argon2.verifySync(hashed, 'correct horse battery staple');
    times.push(performance.now() - began);
  }
  return times.sort((a, b) => a - b)[4];
}

async function seed(
  apiUrl: string,
): Promise<{ token: string; email: string; password: string; itemId: string; ownerId: string; itemJson: string }> {
  const email = `bench-${randomBytes(4).toString('hex')}@example.com`;
  const password = randomBytes(12).toString('base64url');
  const json = { 'content-type': 'application/json' };
  const signup = await fetch(`${apiUrl}/api/v1/users/signup`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email, password }),
  });
  if (signup.status !== 201) throw new Error(`signup answered ${signup.status}: ${await signup.text()}`);
  const ownerId = ((await signup.json()) as { id: string }).id;
  const login = await fetch(`${apiUrl}/api/v1/login/access-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: email, password }),
  });
  const token = ((await login.json()) as { access_token: string }).access_token;
  const auth = { ...json, authorization: `Bearer ${token}` };
  let itemId = '';
  for (let i = 0; i < 100; i++) {
    const created = await fetch(`${apiUrl}/api/v1/items/`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ title: `Item ${i}`, description: `Seeded item number ${i}` }),
    });
    if (created.status !== 201) throw new Error(`item create answered ${created.status}`);
    itemId ||= ((await created.json()) as { id: string }).id;
  }
  const itemJson = await (await fetch(`${apiUrl}/api/v1/items/${itemId}`, { headers: auth })).text();
  return { token, email, password, itemId, ownerId, itemJson };
}

async function main(): Promise<void> {
  requireWrk();
  const scratch = mkdtempSync(join(tmpdir(), 'bench-'));
  chmodSync(scratch, 0o755);
  const services: RunningService[] = [];
  const servers: BenchServer[] = [];
  const sinks: Server[] = [];
  try {
    log('starting PostgreSQL and Redis');
    const [postgres, redis] = await Promise.all([
      startPostgres({ dataDir: join(scratch, 'postgres'), port: await freePort(), persistent: false }),
      startRedis({ dataDir: join(scratch, 'redis'), port: await freePort(), persistent: false }),
    ]);
    services.push(postgres, redis);
    pinPostgres(join(scratch, 'postgres'));
    if (redis.pid) pinProcess(redis.pid, LOAD_CPU);
    const databaseUrl = await ensureDatabase(postgres.url, 'bench');
    const prefix = `bench-${randomBytes(3).toString('hex')}`;

    const secretKey = randomBytes(48).toString('base64url');
    const apiEnv = (port: number, cacheEnabled: boolean): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SECRET_KEY: secretKey,
      FIRST_SUPERUSER_PASSWORD: randomBytes(16).toString('base64url'),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: prefix,
      CACHE_ENABLED: String(cacheEnabled),
      ACCESS_TOKEN_EXPIRE_MINUTES: '240',
      // Every login takes a slot of its email's limit while its password is checked, so the
      // login load's 16 concurrent logins of one account need more than the default 10.
      LOGIN_MAX_FAILURES_PER_EMAIL: String(LOGIN_CONNECTIONS * 2),
      WORKER_CONCURRENCY: String(WORKER_CONCURRENCY),
    });
    const apiEntry = join(projectRoot, 'dist', 'src', 'main.js');
    const cachedPort = await freePort();
    const cached = new BenchServer('ours, cache on', apiEntry, [], apiEnv(cachedPort, true));
    servers.push(cached);
    // The first process runs the migrations, before anything else uses the database.
    await cached.waitUntilServing(`http://127.0.0.1:${cachedPort}/health/live`);
    const uncachedPort = await freePort();
    const uncached = new BenchServer('ours, cache off', apiEntry, [], {
      ...apiEnv(uncachedPort, false),
      DB_MIGRATE_ON_START: 'false',
    });
    servers.push(uncached);
    await uncached.waitUntilServing(`http://127.0.0.1:${uncachedPort}/health/live`);
    // What a process holds once started and idle, before it has served anything.
    await new Promise((resolve) => setTimeout(resolve, IDLE_SETTLE_MS));
    const rssAtStart = { cached: RssSampler.read(cached.pid), uncached: RssSampler.read(uncached.pid) };
    const wholeRun = { cached: new RssSampler(cached.pid), uncached: new RssSampler(uncached.pid) };
    wholeRun.cached.start();
    wholeRun.uncached.start();

    /** The API of another checkout's build, on the same database and Redis (it does not migrate). */
    const startCompared = async (checkout: string) => {
      const port = await freePort();
      const server = new BenchServer(`compared build (${checkout})`, join(checkout, 'dist', 'src', 'main.js'), [], {
        ...apiEnv(port, true),
        DB_MIGRATE_ON_START: 'false',
        // Its own cache entries: the two builds may store them differently.
        REDIS_KEY_PREFIX: `${prefix}-compared`,
      });
      servers.push(server);
      const url = `http://127.0.0.1:${port}`;
      await server.waitUntilServing(`${url}/health/live`);
      return { server, url };
    };

    /**
     * Our API exporting every trace over OTLP/HTTP (protobuf, the default) to a sink in this process
     * that answers and discards: what tracing costs the API, not a collector.
     */
    const startTraced = async () => {
      const sink = createServer((request, response) => {
        request.resume();
        request.on('end', () => response.writeHead(200, { 'content-type': 'application/x-protobuf' }).end());
      }).listen(0, '127.0.0.1');
      await once(sink, 'listening');
      const port = await freePort();
      const server = new BenchServer('ours, tracing every request', apiEntry, [], {
        ...apiEnv(port, true),
        DB_MIGRATE_ON_START: 'false',
        OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(sink.address() as { port: number }).port}`,
        OTEL_TRACES_SAMPLER: 'always_on',
      });
      servers.push(server);
      sinks.push(sink);
      const url = `http://127.0.0.1:${port}`;
      await server.waitUntilServing(`${url}/health/live`);
      return { server, url };
    };

    log('seeding');
    const cachedUrl = `http://127.0.0.1:${cachedPort}`;
    const uncachedUrl = `http://127.0.0.1:${uncachedPort}`;
    const data = await seed(cachedUrl);
    const redisKey = `${prefix}:bench:item`;
    const client = new Redis(redis.url);
    await client.set(redisKey, data.itemJson);
    client.disconnect();

    const baselineScript = join(projectRoot, 'dist', 'bench', 'baselines.js');
    const baselineEnv = {
      PATH: process.env.PATH,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      BENCH_OWNER_ID: data.ownerId,
      BENCH_REDIS_KEY: redisKey,
    };
    const baseline = async (mode: string) => {
      const port = await freePort();
      const server = new BenchServer(mode, baselineScript, [mode], { ...baselineEnv, PORT: String(port) });
      servers.push(server);
      await server.waitForOutput('listening');
      return { server, url: `http://127.0.0.1:${port}` };
    };
    const bareNestPort = await freePort();
    const bareNest = new BenchServer('bare Nest', join(projectRoot, 'dist', 'bench', 'bare-nest.js'), [], {
      ...baselineEnv,
      PORT: String(bareNestPort),
    });
    servers.push(bareNest);
    await bareNest.waitForOutput('listening');
    const bareNestUrl = `http://127.0.0.1:${bareNestPort}`;
    const compared = options.compare ? await startCompared(options.compare) : undefined;
    const traced = options.tracing ? await startTraced() : undefined;
    const nodeHttp = await baseline('node-http');
    const fastify = await baseline('fastify');
    const pgItem = await baseline('fastify-pg-item');
    const pgList = await baseline('fastify-pg-list');
    const pgInsert = await baseline('fastify-pg-insert');
    const redisGet = await baseline('fastify-redis');

    const get = (url: string, headers?: Record<string, string>): LoadRequest => ({
      url,
      headers,
      connections: CONNECTIONS,
      seconds: settings.runSeconds,
    });
    const auth = { authorization: `Bearer ${data.token}` };
    const itemBody = JSON.stringify({ title: 'Benchmark item', description: 'Written by the benchmark' });
    const post = (url: string, headers: Record<string, string> = {}): LoadRequest => ({
      url,
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: itemBody,
      connections: CONNECTIONS,
      seconds: settings.runSeconds,
    });
    const loginRequest: LoadRequest = {
      url: `${cachedUrl}/api/v1/login/access-token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: data.email, password: data.password }).toString(),
      connections: LOGIN_CONNECTIONS,
      seconds: settings.runSeconds,
    };
    const healthRequest = get(`${cachedUrl}/health/live`);

    const figures = new Map<string, TargetFigures>();
    const groups: Target[][] = [
      [
        { id: '1', label: 'raw node:http JSON', server: nodeHttp.server, request: get(`${nodeHttp.url}/`) },
        { id: '2', label: 'raw Fastify JSON', server: fastify.server, request: get(`${fastify.url}/`) },
        {
          id: 'n1',
          label: 'bare Nest: GET /health/live',
          server: bareNest,
          request: get(`${bareNestUrl}/health/live`),
        },
        { id: 'a', label: 'ours: GET /health/live', server: cached, request: healthRequest },
        ...(compared
          ? [
              {
                id: 'a-cmp',
                label: 'compared build: GET /health/live',
                server: compared.server,
                request: get(`${compared.url}/health/live`),
              },
            ]
          : []),
        ...(traced
          ? [
              {
                id: 'a-otel',
                label: 'ours, tracing on: GET /health/live (not traced, as every probe)',
                server: traced.server,
                request: get(`${traced.url}/health/live`),
              },
            ]
          : []),
      ],
      [
        {
          id: '3',
          label: 'raw Fastify + pg: SELECT item by id',
          server: pgItem.server,
          request: get(`${pgItem.url}/items/${data.itemId}`),
        },
        {
          id: 'n2',
          label: 'bare Nest + TypeORM: item by id',
          server: bareNest,
          request: get(`${bareNestUrl}/items/${data.itemId}`),
        },
        {
          id: 'b',
          label: 'ours: GET /api/v1/items/{id}, cache off',
          server: uncached,
          request: get(`${uncachedUrl}/api/v1/items/${data.itemId}`, auth),
        },
      ],
      [
        {
          id: '4',
          label: 'raw Fastify + Redis GET of a JSON string',
          server: redisGet.server,
          request: get(`${redisGet.url}/cached`),
        },
        {
          id: 'n3',
          label: 'bare Nest + Redis GET of a JSON string',
          server: bareNest,
          request: get(`${bareNestUrl}/cached`),
        },
        {
          id: 'c',
          label: 'ours: GET /api/v1/items/{id}, cache hit',
          server: cached,
          request: get(`${cachedUrl}/api/v1/items/${data.itemId}`, auth),
        },
        ...(compared
          ? [
              {
                id: 'c-cmp',
                label: 'compared build: GET /api/v1/items/{id}, cache hit',
                server: compared.server,
                request: get(`${compared.url}/api/v1/items/${data.itemId}`, auth),
              },
            ]
          : []),
        ...(traced
          ? [
              {
                id: 'c-otel',
                label: 'ours, tracing every request: GET /api/v1/items/{id}, cache hit',
                server: traced.server,
                request: get(`${traced.url}/api/v1/items/${data.itemId}`, auth),
              },
            ]
          : []),
      ],
      [
        {
          id: '3-list',
          label: 'raw Fastify + pg: 100 rows and count',
          server: pgList.server,
          request: get(`${pgList.url}/items`),
        },
        {
          id: 'd',
          label: 'ours: GET /api/v1/items/?limit=100, cache off',
          server: uncached,
          request: get(`${uncachedUrl}/api/v1/items/?limit=100`, auth),
        },
      ],
      [
        {
          id: '3-insert',
          label: 'raw Fastify + pg: INSERT item',
          server: pgInsert.server,
          request: post(`${pgInsert.url}/items`),
        },
        {
          id: 'e',
          label: 'ours: POST /api/v1/items/',
          server: cached,
          request: post(`${cachedUrl}/api/v1/items/`, auth),
        },
      ],
      [{ id: 'f', label: 'ours: POST /api/v1/login/access-token', server: cached, request: loginRequest }],
    ];
    const only = options.only?.split(',');
    for (const all of groups) {
      const group = only ? all.filter((target) => only.includes(target.id)) : all;
      if (group.length === 0) continue;
      log(`measuring ${group.map((target) => target.id).join(', ')}`);
      for (const [id, result] of await measure(group)) figures.set(id, result);
    }
    if (only) {
      wholeRun.cached.stop();
      wholeRun.uncached.stop();
      for (const f of figures.values())
        log(`median of ${f.id} (${f.label}): ${f.rps.toFixed(0)} req/s, p99 ${f.p99.toFixed(2)} ms`);
      return;
    }

    log('one API process against two (WEB_CONCURRENCY=2), both free to use every core');
    const unpinned = async (name: string, processes: number) => {
      const port = await freePort();
      const server = new BenchServer(
        name,
        apiEntry,
        [],
        { ...apiEnv(port, true), DB_MIGRATE_ON_START: 'false', WEB_CONCURRENCY: String(processes) },
        false,
      );
      servers.push(server);
      const url = `http://127.0.0.1:${port}`;
      await server.waitUntilServing(`${url}/health/ready`);
      return { server, url };
    };
    const single = await unpinned('ours, 1 process, unpinned', 1);
    const double = await unpinned('ours, WEB_CONCURRENCY=2, unpinned', 2);
    const itemPath = `/api/v1/items/${data.itemId}`;
    const coreFigures = await measure([
      {
        id: 'c-1',
        label: 'ours ×1: GET /api/v1/items/{id}, cache hit',
        server: single.server,
        request: get(`${single.url}${itemPath}`, auth),
      },
      {
        id: 'c-2',
        label: 'ours ×2: GET /api/v1/items/{id}, cache hit',
        server: double.server,
        request: get(`${double.url}${itemPath}`, auth),
      },
    ]);
    for (const [id, result] of coreFigures) figures.set(id, result);
    const cores = { one: coreFigures.get('c-1')!.rps, two: coreFigures.get('c-2')!.rps };
    await Promise.all([single.server.stop(), double.server.stop()]);

    log('measuring the health probe under login load');
    const contention = await measureLoginContention(healthRequest, loginRequest);

    log(`queue: ${settings.jobs} jobs through our worker and a raw BullMQ worker`);
    const bullPrefix = `${prefix}:bull`;
    const workerConfig = loadConfig(apiEnv(0, true));
    const ourWorker = async () =>
      new BenchServer('our worker', join(projectRoot, 'dist', 'src', 'worker.js'), [], apiEnv(0, true));
    const rawWorker = async () => {
      const worker = new BenchServer(
        'raw BullMQ worker',
        join(projectRoot, 'dist', 'bench', 'raw-worker.js'),
        [bullPrefix, String(WORKER_CONCURRENCY)],
        {
          PATH: process.env.PATH,
          REDIS_URL: redis.url,
        },
      );
      await worker.waitForOutput('ready');
      return worker;
    };
    const ours: number[] = [];
    const raw: number[] = [];
    for (let run = 0; run < settings.runs; run++) {
      raw.push(await drainJobs(workerConfig, bullPrefix, rawWorker));
      ours.push(await drainJobs(workerConfig, bullPrefix, ourWorker));
      log(`queue run ${run + 1}: ours ${ours.at(-1)!.toFixed(0)} jobs/s, raw ${raw.at(-1)!.toFixed(0)} jobs/s`);
    }
    // The API processes have been idle through the queue benchmark: what they hold after the run.
    const rssAfterRun = { cached: RssSampler.read(cached.pid), uncached: RssSampler.read(uncached.pid) };
    const peakRss = { cached: wholeRun.cached.stop(), uncached: wholeRun.uncached.stop() };
    const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

    const report: Report = {
      date: new Date().toISOString(),
      machine: `${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}`,
      nodeOptions: runtimeNodeOptions(projectRoot),
      pinning: canPin ? 'servers on CPU 0; wrk, PostgreSQL and Redis on CPU 1 (taskset)' : 'not pinned (no taskset)',
      settings: {
        ...settings,
        connections: CONNECTIONS,
        loginConnections: LOGIN_CONNECTIONS,
        workerConcurrency: WORKER_CONCURRENCY,
      },
      smoke: options.smoke,
      targets: [...figures.values()],
      hashCostMs: hashCostMs(),
      contention,
      rssAfterRunMb: rssAfterRun,
      rssAtStartMb: rssAtStart,
      peakRssMb: peakRss,
      cores,
      queue: { ours: median(ours), raw: median(raw), jobs: settings.jobs },
    };
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, renderReport(report));
    writeFileSync(out.replace(/\.md$/, '.json'), `${JSON.stringify(report, null, 2)}\n`);
    log(`wrote ${out}`);
  } finally {
    for (const server of servers.reverse()) await server.stop().catch(() => undefined);
    for (const sink of sinks) sink.close();
    for (const service of services.reverse()) await service.stop().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  await main();
  process.exit(0);
} catch (error) {
  log(`failed: ${(error as Error).message}`);
  process.exit(1);
}
