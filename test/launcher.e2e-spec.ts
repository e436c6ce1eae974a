import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { descendantsOf, freePort, isAlive } from '../scripts/local-services.js';
import { NodeProcess } from './utils/node-process.js';

/** `npm start`'s launcher (`dist/scripts/start-local.js`) with its own PostgreSQL and Redis. */
class Launcher extends NodeProcess {
  base = '';
  private dataDir = '';

  constructor(
    private readonly env: NodeJS.ProcessEnv,
    private readonly seen: Set<number>,
  ) {
    super();
  }

  /** Starts the launcher (or `npm start`, which builds and runs it) and waits until the API it runs is ready. */
  async start(how: 'launcher' | 'npm start' = 'launcher'): Promise<this> {
    const port = await freePort();
    this.base = `http://127.0.0.1:${port}`;
    // Empty URLs: the launcher starts its own servers instead of using the suite's.
    const env = { ...this.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_URL: '', REDIS_URL: '' };
    const child = how === 'npm start' ? this.run('npm', ['start'], env) : this.spawn('scripts/start-local.js', env);
    this.dataDir = this.env.LOCAL_DATA_DIR!;
    const deadline = Date.now() + 90_000;
    while (
      !(await fetch(`${this.base}/health/ready`).then(
        (response) => response.ok,
        () => false,
      ))
    ) {
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`the launcher did not start the API: ${this.output.slice(-2000)}`);
      await sleep(100);
    }
    return this;
  }

  /** The launcher and every process below it, read while they run. */
  tree(): number[] {
    const tree = [this.pid!, ...descendantsOf(this.pid!)];
    for (const pid of tree) this.seen.add(pid);
    return tree;
  }

  /** The API's process id, from the pid file the launcher keeps while it runs. */
  apiPid(): number {
    return Number(readFileSync(join(this.dataDir, 'api.pid'), 'utf8'));
  }
}

async function survivorsOf(pids: number[], withinMs = 10_000): Promise<number[]> {
  const deadline = Date.now() + withinMs;
  while (pids.some(isAlive) && Date.now() < deadline) await sleep(50);
  return pids.filter(isAlive);
}

describe('npm start launcher', () => {
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  const started: Launcher[] = [];
  // Every process a launcher ran, so that a failed test leaves none behind.
  const seen = new Set<number>();

  const launch = async (how?: 'launcher' | 'npm start') => {
    const launcher = new Launcher(env, seen);
    started.push(launcher);
    return launcher.start(how);
  };

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'launcher-'));
    // Run as root, PostgreSQL runs as the `postgres` user and must be able to enter this folder.
    chmodSync(dataDir, 0o755);
    env = {
      DB_MIGRATE_ON_START: 'true',
      LOCAL_DATA_DIR: dataDir,
      LOCAL_POSTGRES_PORT: String(await freePort()),
      LOCAL_REDIS_PORT: String(await freePort()),
    };
  });

  afterEach(async () => {
    for (const launcher of started.splice(0)) await launcher.stop('SIGTERM');
    for (const pid of await survivorsOf([...seen], 10_000)) process.kill(pid, 'SIGKILL');
    seen.clear();
    rmSync(dataDir, { recursive: true, force: true });
  }, 60_000);

  it.each(['SIGTERM', 'SIGINT', 'SIGHUP'] as const)(
    'stops PostgreSQL, Redis, the API and the worker on %s to its pid alone',
    async (signal) => {
      const launcher = await launch();
      const tree = launcher.tree();
      // The launcher, PostgreSQL (with its own helper processes), Redis, the API and the worker.
      expect(tree.length).toBeGreaterThanOrEqual(5);
      expect(launcher.output).toContain('[local] Redis on 127.0.0.1');

      expect(await launcher.stop(signal)).toBe(0);
      expect(await survivorsOf(tree)).toEqual([]);
      expect(existsSync(join(dataDir, 'api.pid'))).toBe(false);
    },
    120_000,
  );

  it('stops everything on SIGTERM to the pid of npm start', async () => {
    const npm = await launch('npm start');
    const tree = npm.tree();
    expect(await npm.stop('SIGTERM')).not.toBeNull();
    expect(await survivorsOf(tree)).toEqual([]);
  }, 120_000);

  it('stops everything else when the API ends on its own, and exits non-zero', async () => {
    const launcher = await launch();
    const tree = launcher.tree();
    const apiPid = launcher.apiPid();
    expect(tree).toContain(apiPid);

    const exit = launcher.exited();
    process.kill(apiPid, 'SIGKILL');
    expect(await exit).toBe(1);
    expect(await survivorsOf(tree)).toEqual([]);
  }, 120_000);

  it('after a SIGKILL, which nothing can handle, the next start stops what the last one left and serves the same data', async () => {
    const first = await launch();
    const tree = first.tree();
    const signup = await fetch(`${first.base}/api/v1/users/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: 'kept@example.com', password: 'a long password' }),
    });
    expect(signup.status).toBe(201);
    await first.stop('SIGKILL');
    expect((await survivorsOf(tree, 500)).length).toBeGreaterThan(0);

    const second = await launch();
    expect(second.output).toContain('left running by an earlier start');
    expect(await survivorsOf(tree)).toEqual([]);
    const login = await fetch(`${second.base}/api/v1/login/access-token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=kept%40example.com&password=a+long+password',
    });
    expect(login.status).toBe(200);
    const secondTree = second.tree();
    expect(await second.stop('SIGTERM')).toBe(0);
    expect(await survivorsOf(secondTree)).toEqual([]);
  }, 180_000);
});
