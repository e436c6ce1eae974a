import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { type AppConfig, ConfigError, loadConfig, loadEnvFile } from '../src/config/app-config.js';
import { defaultToLocalServices } from '../src/config/local-services.js';
import { epochBump } from '../src/modules/cache/cache-keys.js';

/**
 * `npm run db:backup -- [file]` and `npm run db:restore -- <file>`: a pg_dump archive of the
 * whole database, and its restore. A restore replaces the database's public schema with the
 * archive's contents in one transaction (a failure changes nothing), after taking a backup of
 * what it replaces, and then bumps the response cache epoch so no API serves pre-restore data.
 */

const USAGE = 'usage: npm run db:backup -- [file] | npm run db:restore -- <file> [--no-safety-backup]';

class BackupError extends Error {}

interface PgTools {
  dump: string;
  restore: string;
  psql: string;
}

interface Connection {
  /** The URL without its password, for the command line (visible to `ps`). */
  url: string;
  env: NodeJS.ProcessEnv;
  database: string;
}

function connectionOf(databaseUrl: string): Connection {
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = '';
  return {
    url: url.toString(),
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
    database: decodeURIComponent(url.pathname.slice(1)) || 'postgres',
  };
}

async function serverMajorVersion(databaseUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000 });
  try {
    await client.connect();
    const result = await client.query<{ server_version_num: string }>('SHOW server_version_num');
    return Math.floor(Number(result.rows[0].server_version_num) / 10_000);
  } catch (error) {
    throw new BackupError(`cannot reach the database: ${(error as Error).message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

function majorVersionOf(binary: string): number | null {
  try {
    const match = /(\d+)(?:\.\d+)?/.exec(execFileSync(binary, ['--version'], { encoding: 'utf8' }));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/**
 * pg_dump refuses a server newer than itself, so the tools come from the first folder whose
 * pg_dump is at least the server's version: PG_BIN_DIR, Debian's per-version folders (the
 * server's own first), then PATH.
 */
function findTools(serverMajor: number): PgTools {
  const debianRoot = '/usr/lib/postgresql';
  const debianDirs = existsSync(debianRoot)
    ? readdirSync(debianRoot)
        .filter((name) => /^\d+$/.test(name))
        .sort((a, b) => (Number(a) === serverMajor ? -1 : Number(b) === serverMajor ? 1 : Number(b) - Number(a)))
        .map((name) => join(debianRoot, name, 'bin'))
    : [];
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter(Boolean);
  const found: string[] = [];
  for (const dir of [process.env.PG_BIN_DIR, ...debianDirs, ...pathDirs]) {
    if (!dir || !existsSync(join(dir, 'pg_dump'))) continue;
    const major = majorVersionOf(join(dir, 'pg_dump'));
    found.push(`${join(dir, 'pg_dump')} (${major ?? '?'})`);
    if (
      major !== null &&
      major >= serverMajor &&
      existsSync(join(dir, 'pg_restore')) &&
      existsSync(join(dir, 'psql'))
    ) {
      return { dump: join(dir, 'pg_dump'), restore: join(dir, 'pg_restore'), psql: join(dir, 'psql') };
    }
  }
  throw new BackupError(
    `the database runs PostgreSQL ${serverMajor}; pg_dump, pg_restore and psql ${serverMajor} or newer are needed ` +
      `(found: ${found.join(', ') || 'none'}). Install the PostgreSQL ${serverMajor} client ` +
      `(Debian/Ubuntu: postgresql-client-${serverMajor}) or point PG_BIN_DIR at its bin folder.`,
  );
}

type Command = [binary: string, args: string[]];

/** Resolves with the exit code of `child` and the last lines of its stderr. */
function outcomeOf(child: ChildProcess): Promise<{ binary: string; code: number | null; errors: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolvePromise, reject) => {
    child.on('error', reject);
    // 'close', not 'exit': stderr has been read to its end by then.
    child.on('close', (code) =>
      resolvePromise({ binary: child.spawnfile, code, errors: stderr.trim().split('\n').slice(-3).join(' | ') }),
    );
  });
}

/** Runs the commands as a shell pipeline (`a | b`); fails, with their stderr, when any fails. */
async function pipeline(env: NodeJS.ProcessEnv, ...commands: Command[]): Promise<void> {
  const children = commands.map(([binary, args], index) =>
    spawn(binary, args, {
      env,
      stdio: [index === 0 ? 'ignore' : 'pipe', index === commands.length - 1 ? 'ignore' : 'pipe', 'pipe'],
    }),
  );
  children.slice(1).forEach((child, index) => children[index].stdout!.pipe(child.stdin!));
  const failed = (await Promise.all(children.map(outcomeOf))).filter((outcome) => outcome.code !== 0);
  if (failed.length > 0)
    throw new BackupError(failed.map((outcome) => `${outcome.binary} failed: ${outcome.errors}`).join('; '));
}

function timestamp(): string {
  return new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

async function backup(tools: PgTools, connection: Connection, target: string): Promise<void> {
  mkdirSync(dirname(target), { recursive: true });
  // Written beside the target and renamed when complete: a failed dump never looks like a backup.
  const partial = `${target}.partial`;
  try {
    await pipeline(connection.env, [
      tools.dump,
      ['--format=custom', '--no-owner', '--no-privileges', `--file=${partial}`, `--dbname=${connection.url}`],
    ]);
    renameSync(partial, target);
  } finally {
    rmSync(partial, { force: true });
  }
  process.stdout.write(`backup of ${connection.database} written to ${target} (${statSync(target).size} bytes)\n`);
}

async function checkArchive(tools: PgTools, source: string): Promise<void> {
  if (!existsSync(source)) throw new BackupError(`${source} does not exist`);
  await pipeline(process.env, [tools.restore, ['--list', source]]).catch(() => {
    throw new BackupError(`${source} is not a pg_dump archive (make one with npm run db:backup)`);
  });
}

async function restore(tools: PgTools, connection: Connection, source: string): Promise<void> {
  await pipeline(
    connection.env,
    [tools.restore, ['--no-owner', '--no-privileges', '--file=-', source]],
    [
      tools.psql,
      [
        '--no-psqlrc',
        '--quiet',
        '--single-transaction',
        '--set=ON_ERROR_STOP=1',
        `--dbname=${connection.url}`,
        '--command=DROP SCHEMA public CASCADE',
        '--command=CREATE SCHEMA public',
        '--file=-',
      ],
    ],
  );
  process.stdout.write(`${connection.database} restored from ${source}\n`);
}

/** Makes every cached response unreachable; cached bodies would otherwise show pre-restore data. */
async function bumpCacheEpoch(config: AppConfig): Promise<void> {
  const redis = new Redis(config.redisUrl, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined);
  try {
    await redis.connect();
    await epochBump(redis, config.redisKeyPrefix).exec();
    process.stdout.write('response cache invalidated\n');
  } catch (error) {
    process.stderr.write(
      `warning: could not invalidate the response cache (${(error as Error).message}); ` +
        `cached responses may show pre-restore data for up to ${config.cacheTtlSeconds} s\n`,
    );
  } finally {
    redis.disconnect();
  }
}

async function main(args: string[]): Promise<void> {
  const [command, file, ...flags] = args;
  if (command !== 'backup' && command !== 'restore') throw new BackupError(USAGE);
  if (command === 'restore' && !file) throw new BackupError(USAGE);

  loadEnvFile();
  defaultToLocalServices();
  const config = loadConfig();
  const connection = connectionOf(config.databaseUrl);
  const tools = findTools(await serverMajorVersion(config.databaseUrl));
  const defaultTarget = (label: string) => resolve('backups', `${connection.database}-${label}${timestamp()}.dump`);

  if (command === 'backup') {
    await backup(tools, connection, file ? resolve(file) : defaultTarget(''));
    return;
  }
  const source = resolve(file);
  await checkArchive(tools, source);
  if (!flags.includes('--no-safety-backup')) await backup(tools, connection, defaultTarget('before-restore-'));
  await restore(tools, connection, source);
  await bumpCacheEpoch(config);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (error: unknown) => {
    const known = error instanceof BackupError || error instanceof ConfigError;
    process.stderr.write(`${known ? error.message : String((error as Error).stack ?? error)}\n`);
    process.exit(1);
  },
);
