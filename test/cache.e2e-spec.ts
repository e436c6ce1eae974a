import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Redis } from 'ioredis';
import request from 'supertest';
import { freePort, type RunningService, startRedis } from '../scripts/local-services.js';
import { AppConfig } from '../src/config/app-config.js';
import { REDIS_CLIENT } from '../src/redis/redis.module.js';
import { createTestApp } from './utils/test-app.js';
import { bearer, loginAsSuperuser, signedInUser } from './utils/users.js';

type Http = () => request.Agent | ReturnType<typeof request>;

function client(app: NestFastifyApplication): Http {
  return () => request(app.getHttpServer());
}

async function createItem(http: Http, token: string, title: string) {
  return (await http().post('/api/v1/items/').set(bearer(token)).send({ title }).expect(201)).body as {
    id: string;
    title: string;
  };
}

const titles = (body: { data: { title: string }[] }) => body.data.map((item) => item.title);

describe('response cache', () => {
  let app: NestFastifyApplication;
  let http: Http;

  beforeAll(async () => {
    app = await createTestApp();
    http = client(app);
  });

  afterAll(async () => {
    await app.close();
  });

  it('serves a repeated read from the cache, marked private and not storable', async () => {
    const user = await signedInUser(app);
    const item = await createItem(http, user.token, 'cached');
    const first = await http().get(`/api/v1/items/${item.id}`).set(bearer(user.token)).expect(200);
    const second = await http().get(`/api/v1/items/${item.id}`).set(bearer(user.token)).expect(200);
    expect([first.headers['x-cache'], second.headers['x-cache']]).toEqual(['MISS', 'HIT']);
    expect(second.body).toEqual(first.body);
    expect(second.headers['cache-control']).toBe('private, no-store');
  });

  it('stores the body as it was sent, under its namespace, and answers a hit with that very text', async () => {
    const user = await signedInUser(app);
    const item = await createItem(http, user.token, 'stored');
    const miss = await http().get(`/api/v1/items/${item.id}`).set(bearer(user.token)).expect(200);
    const redis = app.get<Redis>(REDIS_CLIENT);
    const { redisKeyPrefix } = app.get(AppConfig);
    const [entry] = (await redis.keys(`${redisKeyPrefix}:cache:*`)).filter((key) =>
      key.endsWith(`:owner:${user.id}:/api/v1/items/${item.id}`),
    );
    expect(await redis.get(entry)).toBe(miss.text);
    const hit = await http().get(`/api/v1/items/${item.id}`).set(bearer(user.token)).expect(200);
    expect(hit.headers['x-cache']).toBe('HIT');
    expect(hit.text).toBe(miss.text);
    expect(hit.headers['content-type']).toBe(miss.headers['content-type']);
    expect(await redis.pttl(entry)).toBeGreaterThan(0);
  });

  it('keys on the full URL, query included', async () => {
    const user = await signedInUser(app);
    for (const title of ['a', 'b', 'c']) await createItem(http, user.token, title);
    await http().get('/api/v1/items/?limit=1').set(bearer(user.token)).expect(200);
    const page = await http().get('/api/v1/items/?limit=2').set(bearer(user.token)).expect(200);
    expect(page.headers['x-cache']).toBe('MISS');
    expect(titles(page.body)).toEqual(['c', 'b']);
  });

  it("never gives one user another user's cached response for the same URL", async () => {
    const alice = await signedInUser(app);
    const bob = await signedInUser(app);
    const alicesItem = await createItem(http, alice.token, 'alice only');
    await createItem(http, bob.token, 'bob only');
    for (let i = 0; i < 2; i++) {
      const alices = await http().get('/api/v1/items/').set(bearer(alice.token)).expect(200);
      const bobs = await http().get('/api/v1/items/').set(bearer(bob.token)).expect(200);
      expect(titles(alices.body)).toEqual(['alice only']);
      expect(titles(bobs.body)).toEqual(['bob only']);
    }
    await http().get(`/api/v1/items/${alicesItem.id}`).set(bearer(alice.token)).expect(200);
    await http().get(`/api/v1/items/${alicesItem.id}`).set(bearer(alice.token)).expect(200);
    await http().get(`/api/v1/items/${alicesItem.id}`).set(bearer(bob.token)).expect(403);
  });

  it("shows the author's create, update and delete on their very next read", async () => {
    const user = await signedInUser(app);
    const list = () => http().get('/api/v1/items/').set(bearer(user.token)).expect(200);
    await list();
    const item = await createItem(http, user.token, 'new');
    expect(titles((await list()).body)).toEqual(['new']);

    await http().get(`/api/v1/items/${item.id}`).set(bearer(user.token)).expect(200);
    await http().put(`/api/v1/items/${item.id}`).set(bearer(user.token)).send({ title: 'renamed' }).expect(200);
    expect((await http().get(`/api/v1/items/${item.id}`).set(bearer(user.token)).expect(200)).body.title).toBe(
      'renamed',
    );
    expect(titles((await list()).body)).toEqual(['renamed']);

    await http().delete(`/api/v1/items/${item.id}`).set(bearer(user.token)).expect(204);
    await http().get(`/api/v1/items/${item.id}`).set(bearer(user.token)).expect(404);
    expect((await list()).body).toEqual({ data: [], count: 0 });
  });

  it("reflects a normal user's write in a superuser's cached list, and a superuser's edit in the owner's", async () => {
    const admin = (await loginAsSuperuser(app)).access_token;
    const user = await signedInUser(app);
    const adminList = () => http().get('/api/v1/items/?limit=1000').set(bearer(admin)).expect(200);
    await adminList();
    await adminList();
    const item = await createItem(http, user.token, 'seen by admin');
    expect(titles((await adminList()).body)).toContain('seen by admin');

    await http().get(`/api/v1/items/${item.id}`).set(bearer(user.token)).expect(200);
    await http().put(`/api/v1/items/${item.id}`).set(bearer(admin)).send({ title: 'edited by admin' }).expect(200);
    expect((await http().get(`/api/v1/items/${item.id}`).set(bearer(user.token)).expect(200)).body.title).toBe(
      'edited by admin',
    );
  });

  it('lets entries expire after CACHE_TTL_SECONDS', async () => {
    const shortLived = await createTestApp({ cacheTtlSeconds: 1 });
    try {
      const shortHttp = client(shortLived);
      const user = await signedInUser(shortLived);
      const get = () => shortHttp().get('/api/v1/items/').set(bearer(user.token)).expect(200);
      await get();
      expect((await get()).headers['x-cache']).toBe('HIT');
      await sleep(1200);
      expect((await get()).headers['x-cache']).toBe('MISS');
    } finally {
      await shortLived.close();
    }
  });

  it('is skipped entirely with CACHE_ENABLED=false', async () => {
    const uncached = await createTestApp({ cacheEnabled: false });
    try {
      const uncachedHttp = client(uncached);
      const user = await signedInUser(uncached);
      await createItem(uncachedHttp, user.token, 'plain');
      for (let i = 0; i < 2; i++) {
        const response = await uncachedHttp().get('/api/v1/items/').set(bearer(user.token)).expect(200);
        expect(response.headers['x-cache']).toBeUndefined();
        expect(titles(response.body)).toEqual(['plain']);
      }
    } finally {
      await uncached.close();
    }
  });

  it('makes a write on one API instance visible on another at once', async () => {
    const other = await createTestApp();
    try {
      const otherHttp = client(other);
      const user = await signedInUser(app);
      await createItem(http, user.token, 'one');
      await otherHttp().get('/api/v1/items/').set(bearer(user.token)).expect(200);
      expect((await otherHttp().get('/api/v1/items/').set(bearer(user.token)).expect(200)).headers['x-cache']).toBe(
        'HIT',
      );
      await createItem(http, user.token, 'two');
      expect(titles((await otherHttp().get('/api/v1/items/').set(bearer(user.token)).expect(200)).body)).toEqual([
        'two',
        'one',
      ]);
    } finally {
      await other.close();
    }
  });
});

/** A Redis of this suite's own, which it stops, freezes and restarts under reads. */
describe('response cache when Redis fails', () => {
  let app: NestFastifyApplication;
  let http: Http;
  let redis: RunningService;
  let dataDir: string;
  let port: number;
  let user: { id: string; token: string };
  let item: { id: string };

  const startOwnRedis = () => startRedis({ dataDir, port, persistent: true });
  const read = () => http().get(`/api/v1/items/${item.id}`).set(bearer(user.token));

  async function untilHit(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      if ((await read().expect(200)).headers['x-cache'] === 'HIT') return;
      await sleep(100);
    }
    throw new Error('no cache hit after Redis came back');
  }

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'cache-redis-'));
    port = await freePort();
    redis = await startOwnRedis();
    app = await createTestApp({ redisUrl: redis.url });
    http = client(app);
    user = await signedInUser(app);
    item = await createItem(http, user.token, 'v1');
  });

  afterAll(async () => {
    await app.close();
    await redis.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads correctly with Redis stopped, never serves a stale entry after it returns, and hits again', async () => {
    await read().expect(200);
    await untilHit();
    await redis.stop();

    for (let i = 0; i < 5; i++) {
      const started = Date.now();
      const response = await read().expect(200);
      expect(response.body.title).toBe('v1');
      expect(Date.now() - started).toBeLessThan(1000);
    }
    // This write cannot reach Redis to invalidate the entry cached above.
    await http().put(`/api/v1/items/${item.id}`).set(bearer(user.token)).send({ title: 'v2' }).expect(200);
    expect((await read().expect(200)).body.title).toBe('v2');

    // Redis comes back with its data (AOF), the old entry included: it must not be served.
    redis = await startOwnRedis();
    for (let i = 0; i < 20; i++) {
      expect((await read().expect(200)).body.title).toBe('v2');
      await sleep(50);
    }
    await untilHit();
  });

  it('reads correctly within the cache timeout while Redis is frozen (SIGSTOP), and hits again after SIGCONT', async () => {
    await untilHit();
    if (!redis.pid) throw new Error('this Redis has no pid to pause');
    process.kill(redis.pid, 'SIGSTOP');
    try {
      for (let i = 0; i < 5; i++) {
        const started = Date.now();
        const response = await read().expect(200);
        expect(response.body.title).toBe('v2');
        expect(Date.now() - started).toBeLessThan(1000);
      }
    } finally {
      process.kill(redis.pid, 'SIGCONT');
    }
    await untilHit();
  });
});
