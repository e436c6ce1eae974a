import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { freePort, type RunningService, startRedis } from '../scripts/local-services.js';
import { createTestApp } from './utils/test-app.js';

/** Readiness against a Redis of this test's own, which it stops, freezes and restarts. */
describe('readiness when Redis fails', () => {
  let app: NestFastifyApplication;
  let redis: RunningService;
  let dataDir: string;
  let port: number;
  const http = () => request(app.getHttpServer());

  const startOwnRedis = () => startRedis({ dataDir, port, persistent: false });

  async function waitForReady(status: number, withinMs: number): Promise<number> {
    const started = Date.now();
    while (Date.now() - started < withinMs) {
      const response = await http().get('/health/ready');
      if (response.status === status) return Date.now() - started;
      await sleep(100);
    }
    throw new Error(`/health/ready did not answer ${status} within ${withinMs} ms`);
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'readiness-redis-'));
    port = await freePort();
    redis = await startOwnRedis();
    app = await createTestApp({ redisUrl: redis.url });
  });

  afterAll(async () => {
    await app.close();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('turns 503 naming redis within 2 s of Redis stopping, stays live, and recovers', async () => {
    await waitForReady(200, 10_000);
    await redis.stop();

    const started = Date.now();
    const response = await http().get('/health/ready');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(response.status).toBe(503);
    expect(response.body.status).toBe('error');
    expect(response.body.error.redis.status).toBe('down');
    expect(response.body.info.database.status).toBe('up');
    expect(JSON.stringify(response.body)).not.toMatch(/127\.0\.0\.1|ECONNREFUSED|\d+\.\d+\.\d+/);
    await http().get('/health/live').expect(200);

    redis = await startOwnRedis();
    await waitForReady(200, 10_000);
  });

  it('turns 503 within 2 s while Redis hangs (SIGSTOP), then recovers on SIGCONT', async () => {
    if (!redis.pid) throw new Error('this Redis has no pid to pause');
    process.kill(redis.pid, 'SIGSTOP');
    try {
      const started = Date.now();
      const response = await http().get('/health/ready');
      expect(Date.now() - started).toBeLessThan(2000);
      expect(response.status).toBe(503);
      expect(response.body.error.redis.status).toBe('down');
      await http().get('/health/live').expect(200);
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    await waitForReady(200, 10_000);
  });
});
