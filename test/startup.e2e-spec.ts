import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { DataSource } from 'typeorm';
import { dropDatabase, ensureDatabase } from '../scripts/local-services.js';
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
    const overrides = { databaseUrl, dbMigrateOnStart: true, firstSuperuser: 'First.Admin@example.com', firstSuperuserPassword: 'first-admin-password' };
    apps.push(...(await Promise.all([createTestApp(overrides), createTestApp(overrides), createTestApp(overrides)])));

    const dataSource = apps[0].get(DataSource);
    const migrationFiles = readdirSync(join(import.meta.dirname, '..', 'migrations')).filter((file) => file.endsWith('.ts'));
    const applied: { name: string }[] = await dataSource.query('SELECT name FROM migrations');
    expect(applied).toHaveLength(migrationFiles.length);
    expect(new Set(applied.map((row) => row.name)).size).toBe(applied.length);

    const [{ count }] = await dataSource.query("SELECT count(*)::int AS count FROM users WHERE lower(email) = 'first.admin@example.com'");
    expect(count).toBe(1);

    const login = await request(apps[2].getHttpServer())
      .post('/api/v1/login/access-token')
      .type('form')
      .send({ username: 'first.admin@example.com', password: 'first-admin-password' })
      .expect(200);
    const me = await request(apps[1].getHttpServer()).get('/api/v1/users/me').set('Authorization', `Bearer ${login.body.access_token}`).expect(200);
    expect(me.body).toMatchObject({ email: 'First.Admin@example.com', is_superuser: true, is_active: true });
  });
});
