import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { dropDatabase, ensureDatabase } from '../scripts/local-services.js';
import { ApiProcess } from './utils/api-process.js';
import { createTestApp } from './utils/test-app.js';

/** Several API processes starting at once on an empty database. */
describe('start-up on a fresh database', () => {
  const serverUrl = process.env.TEST_DATABASE_SERVER_URL as string;
  const databaseName = `startup_${randomBytes(4).toString('hex')}`;
  const apps: NestFastifyApplication[] = [];
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await ensureDatabase(serverUrl, databaseName);
  });

  afterAll(async () => {
    for (const app of apps) await app.close();
    await dropDatabase(serverUrl, databaseName);
  });

  it('migrates once and creates the first superuser once when three instances start together', async () => {
    const overrides = {
      databaseUrl,
      dbMigrateOnStart: true,
      firstSuperuser: 'First.Admin@example.com',
      firstSuperuserPassword: 'first-admin-password',
    };
    apps.push(...(await Promise.all([createTestApp(overrides), createTestApp(overrides), createTestApp(overrides)])));

    const dataSource = apps[0].get(DataSource);
    const migrationFiles = readdirSync(join(import.meta.dirname, '..', 'migrations')).filter((file) =>
      file.endsWith('.ts'),
    );
    const applied: { name: string }[] = await dataSource.query('SELECT name FROM migrations');
    expect(applied).toHaveLength(migrationFiles.length);
    expect(new Set(applied.map((row) => row.name)).size).toBe(applied.length);

    const [{ count }] = await dataSource.query(
      "SELECT count(*)::int AS count FROM users WHERE lower(email) = 'first.admin@example.com'",
    );
    expect(count).toBe(1);

    const login = await request(apps[2].getHttpServer())
      .post('/api/v1/login/access-token')
      .type('form')
      .send({ username: 'first.admin@example.com', password: 'first-admin-password' })
      .expect(200);
    const me = await request(apps[1].getHttpServer())
      .get('/api/v1/users/me')
      .set('Authorization', `Bearer ${login.body.access_token}`)
      .expect(200);
    expect(me.body).toMatchObject({ email: 'First.Admin@example.com', is_superuser: true, is_active: true });
  });
});

/** The built API (`dist/src/main.js`) started in production mode: what it refuses, and what it says. */
describe('start-up in production', () => {
  const serverUrl = process.env.TEST_DATABASE_SERVER_URL as string;
  const databaseName = `startup_production_${randomBytes(4).toString('hex')}`;
  let databaseUrl: string;

  beforeAll(async () => {
    databaseUrl = await ensureDatabase(serverUrl, databaseName);
  });

  afterAll(async () => {
    await dropDatabase(serverUrl, databaseName);
  });

  // Strong secrets, and a database of its own for the superuser it creates.
  const production = () => ({
    NODE_ENV: 'production',
    DATABASE_URL: databaseUrl,
    DB_MIGRATE_ON_START: 'true',
    SECRET_KEY: randomBytes(48).toString('base64'),
    FIRST_SUPERUSER_PASSWORD: randomBytes(12).toString('base64url'),
    METRICS_TOKEN: '',
  });

  it('exits 1 with the reason on stderr when SECRET_KEY is predictable', () => {
    const run = spawnSync(process.execPath, [join(import.meta.dirname, '..', 'dist', 'src', 'main.js')], {
      env: { ...process.env, ...production(), SECRET_KEY: 'a'.repeat(32) },
      encoding: 'utf8',
      timeout: 15_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(
      /^Invalid configuration: SECRET_KEY is too predictable for production \(about 0 bits of entropy, 128 needed\): generate one with openssl rand -base64 48$/m,
    );
    expect(run.stdout).not.toContain('API listening');
  });

  it('starts with strong secrets, keeps /metrics off without METRICS_TOKEN and says so once', async () => {
    const api = await new ApiProcess({ ...production(), LOG_LEVEL: 'info' }).start();
    try {
      const response = await fetch(`${api.base}/metrics`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ detail: 'Not Found' });
      // The line follows "API listening", which may come just after readiness answers.
      const notice = 'Metrics are off: in production GET /metrics answers 404 until METRICS_TOKEN is set';
      for (let waited = 0; !api.output.includes(notice) && waited < 5000; waited += 100) await sleep(100);
      expect(api.output.split(notice)).toHaveLength(2);
    } finally {
      await api.stop('SIGKILL');
    }
  }, 30_000);
});
