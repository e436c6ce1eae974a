import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { dropDatabase, ensureDatabase } from '../scripts/local-services.js';
import { cacheEpochKey } from '../src/modules/cache/cache-keys.js';
import { ApiProcess } from './utils/api-process.js';
import { uniqueEmail } from './utils/users.js';

const script = join(import.meta.dirname, '..', 'dist', 'scripts', 'database-backup.js');

/** `npm run db:backup` / `db:restore` (pg_dump, pg_restore, psql) round-tripping a live API's data. */
describe('database backup and restore', () => {
  const databaseName = `backup_${randomBytes(4).toString('hex')}`;
  const redisKeyPrefix = `${process.env.REDIS_KEY_PREFIX}-backup`;
  const workDir = mkdtempSync(join(tmpdir(), 'api-backup-'));
  let databaseUrl: string;
  let api: ApiProcess;
  let db: pg.Client;
  let token: string;

  const runScript = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, [script, ...args], {
        cwd: workDir,
        env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_KEY_PREFIX: redisKeyPrefix, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      child.on('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, output });
      });
    });

  const call = async (path: string, init: { method?: string; json?: unknown } = {}) => {
    const response = await fetch(`${api.base}/api/v1${path}`, {
      method: init.method ?? 'GET',
      headers: { Authorization: `Bearer ${token}`, ...(init.json ? { 'Content-Type': 'application/json' } : {}) },
      body: init.json ? JSON.stringify(init.json) : undefined,
    });
    return {
      status: response.status,
      cache: response.headers.get('x-cache'),
      body: (await response.json()) as { id: string; count: number; title: string },
    };
  };
  const snapshot = async () =>
    (
      await db.query(
        'SELECT u.email, i.title, i.description FROM items i JOIN users u ON u.id = i.owner_id ORDER BY i.title',
      )
    ).rows;

  beforeAll(async () => {
    databaseUrl = await ensureDatabase(process.env.TEST_DATABASE_SERVER_URL!, databaseName);
    // The API migrates its new database at start-up, as a fresh deployment does.
    api = await new ApiProcess({
      DATABASE_URL: databaseUrl,
      REDIS_KEY_PREFIX: redisKeyPrefix,
      DB_MIGRATE_ON_START: 'true',
    }).start();
    db = new pg.Client({ connectionString: databaseUrl });
    await db.connect();

    const email = uniqueEmail('backup');
    const password = 'backup round trip password';
    const signup = await fetch(`${api.base}/api/v1/users/signup`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    expect(signup.status).toBe(201);
    const login = await fetch(`${api.base}/api/v1/login/access-token`, {
      method: 'POST',
      body: new URLSearchParams({ username: email, password }),
    });
    token = ((await login.json()) as { access_token: string }).access_token;
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await api?.stop();
    await dropDatabase(process.env.TEST_DATABASE_SERVER_URL!, databaseName);
    rmSync(workDir, { recursive: true, force: true });
  });

  it('restores exactly what was backed up, and the API serves it at once, not its cached responses', async () => {
    const kept = await call('/items/', { method: 'POST', json: { title: 'kept', description: 'as backed up' } });
    await call('/items/', { method: 'POST', json: { title: 'deleted later' } });
    const before = await snapshot();
    expect(before).toHaveLength(2);
    const tableNames = async () =>
      (await db.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map(
        (row) => row.tablename,
      );
    const tablesBefore = await tableNames();
    expect(tablesBefore).toEqual(expect.arrayContaining(['items', 'migrations', 'users']));

    const backup = await runScript(['backup', 'nightly.dump']);
    expect(backup).toMatchObject({ code: 0 });
    expect(existsSync(join(workDir, 'nightly.dump'))).toBe(true);

    await call(`/items/${kept.body.id}`, { method: 'PUT', json: { title: 'changed after the backup' } });
    await call('/items/', { method: 'POST', json: { title: 'created after the backup' } });
    await db.query("DELETE FROM items WHERE title = 'deleted later'");
    await db.query('CREATE TABLE made_after_the_backup (id int)');
    expect((await call(`/items/${kept.body.id}`)).cache).toBe('MISS');
    expect(await call(`/items/${kept.body.id}`)).toMatchObject({
      cache: 'HIT',
      body: { title: 'changed after the backup' },
    });

    const restored = await runScript(['restore', 'nightly.dump']);
    expect(restored.output).toContain('response cache invalidated');
    expect(restored.code).toBe(0);

    expect(await snapshot()).toEqual(before);
    expect(await tableNames()).toEqual(tablesBefore);
    expect(await call(`/items/${kept.body.id}`)).toMatchObject({
      status: 200,
      cache: 'MISS',
      body: { title: 'kept', description: 'as backed up' },
    });
    expect((await call('/items/')).body.count).toBe(2);

    // What the restore replaced was saved first.
    expect(
      readdirSync(join(workDir, 'backups')).some((file) => file.startsWith(`${databaseName}-before-restore-`)),
    ).toBe(true);
    const redis = new Redis(process.env.REDIS_URL!);
    expect(Number(await redis.get(cacheEpochKey(redisKeyPrefix)))).toBeGreaterThanOrEqual(1);
    redis.disconnect();
  }, 60_000);

  it('refuses a file that is not a backup and leaves the database as it was', async () => {
    const before = await snapshot();
    writeFileSync(join(workDir, 'not-a-backup.dump'), 'SELECT 1;\n');
    const result = await runScript(['restore', 'not-a-backup.dump']);
    expect(result.code).toBe(1);
    expect(result.output).toContain('is not a pg_dump archive');
    expect((await runScript(['restore', 'missing.dump'])).output).toContain('missing.dump does not exist');
    expect(await snapshot()).toEqual(before);
  }, 60_000);

  it('changes nothing when the restore fails half way', async () => {
    // The archive recreates a schema besides public, which the target has too: CREATE SCHEMA fails
    // after public has already been dropped and partly refilled, inside the one transaction.
    await db.query('CREATE SCHEMA reports');
    expect(await runScript(['backup', 'with-reports.dump'])).toMatchObject({ code: 0 });
    await call('/items/', { method: 'POST', json: { title: 'made after the second backup' } });
    const before = await snapshot();

    const result = await runScript(['restore', 'with-reports.dump', '--no-safety-backup']);
    expect(result.code).toBe(1);
    expect(result.output).toContain('schema "reports" already exists');
    expect(await snapshot()).toEqual(before);
    await db.query('DROP SCHEMA reports');
  }, 60_000);

  it('says why when the database cannot be reached', async () => {
    const result = await runScript(['backup'], { DATABASE_URL: 'postgresql://postgres:postgres@127.0.0.1:1/none' });
    expect(result.code).toBe(1);
    expect(result.output.trim()).toBe('cannot reach the database: connect ECONNREFUSED 127.0.0.1:1');
  }, 30_000);
});
