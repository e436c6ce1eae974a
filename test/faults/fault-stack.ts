import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  childrenOf,
  ensureDatabase,
  freePort,
  isAlive,
  type RunningService,
  startPostgres,
  startRedis,
} from '../../scripts/local-services.js';
import { ApiProcess } from '../utils/api-process.js';
import { WorkerProcess } from '../utils/worker-process.js';

/** The app's PostgreSQL application_name in the scenarios (set through PROJECT_NAME). */
export const APP_NAME = 'fault-scenarios';

/** Polls `check` every 50 ms until it returns a value other than null/false, for at most `withinMs`. */
export async function waitUntil<T>(
  check: () => T | null | false | Promise<T | null | false>,
  withinMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (let attempt = 0; attempt < withinMs / 50 + 1; attempt++) {
    const value = await check();
    if (value !== null && value !== false) return value;
    if (Date.now() > deadline) break;
    await sleep(50);
  }
  throw new Error(`${what}: not within ${withinMs} ms`);
}

/**
 * A PostgreSQL and a Redis of one fault scenario (free ports on 127.0.0.1, data in a temporary
 * folder that survives their restarts), and the built API and worker processes started on
 * them. The scenario stops, freezes and kills these; `stop()` ends every process the stack
 * started, by its own handle, and removes the data, also after a failure.
 */
export class FaultStack {
  private postgres?: RunningService;
  private redis?: RunningService;
  private readonly processes: (ApiProcess | WorkerProcess)[] = [];
  private thawPostgres?: () => void;
  /** The environment of the API and worker processes. */
  env: NodeJS.ProcessEnv = {};

  private constructor(
    private readonly dir: string,
    private readonly postgresPort: number,
    private readonly redisPort: number,
  ) {}

  static async start(): Promise<FaultStack> {
    const dir = mkdtempSync(join(tmpdir(), 'faults-'));
    // PostgreSQL runs as the `postgres` user and must be able to enter this folder.
    chmodSync(dir, 0o755);
    const stack = new FaultStack(dir, await freePort(), await freePort());
    try {
      await Promise.all([stack.startPostgres(), stack.startRedis()]);
      stack.env = {
        NODE_ENV: 'test',
        PROJECT_NAME: APP_NAME,
        DATABASE_URL: await ensureDatabase(stack.postgresUrl, 'faults'),
        REDIS_URL: stack.redis!.url,
        REDIS_KEY_PREFIX: 'faults',
        SECRET_KEY: randomBytes(48).toString('base64url'),
        LOCAL_DATA_DIR: dir,
        LOG_LEVEL: 'warn',
      };
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  /** The server's URL as its superuser (the `postgres` database). */
  get postgresUrl(): string {
    if (!this.postgres) throw new Error('PostgreSQL is not running');
    return this.postgres.url;
  }

  get redisPid(): number {
    if (!this.redis?.pid) throw new Error('this Redis has no pid');
    return this.redis.pid;
  }

  /** The ids of every process of the stack that runs: PostgreSQL's postmaster, Redis, APIs, workers. */
  pids(): number[] {
    const own = this.processes.filter((process) => process.running).map((process) => process.pid);
    return [this.postgres?.pid, this.redis?.pid, ...own].filter((pid): pid is number => pid !== undefined);
  }

  /** Starts PostgreSQL on the stack's port and data folder (again, after `stopPostgres`). */
  async startPostgres(): Promise<void> {
    // Persistent: its data must outlive a stop; the folder goes with the stack.
    this.postgres = await startPostgres({
      dataDir: join(this.dir, 'postgres'),
      port: this.postgresPort,
      persistent: true,
    });
  }

  /** A fast shutdown (SIGINT): sessions are ended, the port closes. */
  async stopPostgres(): Promise<void> {
    await this.postgres?.stop();
    this.postgres = undefined;
  }

  /**
   * Freezes PostgreSQL, the postmaster and every backend (SIGSTOP), as a hung server or a
   * network partition would look: connections stay open and nothing answers. Returns the thaw.
   */
  freezePostgres(): () => void {
    const postmaster = this.postgres?.pid;
    if (postmaster === undefined) throw new Error('PostgreSQL is not running');
    const frozen = [postmaster, ...childrenOf(postmaster)];
    for (const pid of frozen) process.kill(pid, 'SIGSTOP');
    this.thawPostgres = () => frozen.filter(isAlive).forEach((pid) => process.kill(pid, 'SIGCONT'));
    return this.thawPostgres;
  }

  /** Starts Redis on the stack's port and data folder (again, after `killRedis`). */
  async startRedis(): Promise<void> {
    this.redis = await startRedis({ dataDir: join(this.dir, 'redis'), port: this.redisPort, persistent: false });
  }

  async killRedis(): Promise<void> {
    const pid = this.redisPid;
    process.kill(pid, 'SIGKILL');
    this.redis = undefined;
    await waitUntil(() => !isAlive(pid), 5000, `redis-server ${pid} to end`);
  }

  async startApi(env: NodeJS.ProcessEnv = {}): Promise<ApiProcess> {
    const api = new ApiProcess({ ...this.env, ...env });
    this.processes.push(api);
    return api.start();
  }

  async startWorker(env: NodeJS.ProcessEnv = {}): Promise<WorkerProcess> {
    const worker = new WorkerProcess({ ...this.env, ...env });
    this.processes.push(worker);
    return worker.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((process) => process.stop('SIGKILL')));
    // A server a failed scenario left frozen would never act on the stop signal.
    if (this.redis?.pid && isAlive(this.redis.pid)) process.kill(this.redis.pid, 'SIGCONT');
    if (this.redis) await this.redis.stop().catch(() => undefined);
    this.thawPostgres?.();
    await this.stopPostgres().catch(() => undefined);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
