import { randomBytes } from 'node:crypto';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createTestApp } from './utils/test-app.js';
import { bearer, signedInUser } from './utils/users.js';

describe('metrics', () => {
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp();
  });

  afterAll(async () => {
    await app.close();
  });

  it('exposes request durations, cache, queue and pool figures in Prometheus format', async () => {
    const user = await signedInUser(app);
    const item = (await http().post('/api/v1/items/').set(bearer(user.token)).send({ title: 'metered' }).expect(201))
      .body;
    await http().get(`/api/v1/items/${item.id}`).set(bearer(user.token)).expect(200);
    await http().get(`/api/v1/items/${item.id}`).set(bearer(user.token)).expect(200);
    await http().get('/nowhere').expect(404);

    const response = await http().get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = response.text;
    expect(text).toMatch(
      /http_request_duration_seconds_count\{method="GET",route="\/api\/v1\/items\/:id",status="200"\} 2/,
    );
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1/);
    expect(text).toMatch(/^response_cache_hits_total [1-9]/m);
    expect(text).toMatch(/^response_cache_misses_total [1-9]/m);
    expect(text).toMatch(/queue_jobs\{queue="email",state="waiting"\} \d+/);
    expect(text).toMatch(/db_pool_connections\{state="total"\} [1-9]/);
    await http().get('/api/v1/metrics').expect(404);
  });

  it('requires the token when METRICS_TOKEN is set', async () => {
    const guarded = await createTestApp({ metricsToken: 'scrape-secret' });
    try {
      await request(guarded.getHttpServer()).get('/metrics').expect(401);
      await request(guarded.getHttpServer()).get('/metrics').set('Authorization', 'Bearer wrong').expect(401);
      await request(guarded.getHttpServer()).get('/metrics').set('Authorization', 'Bearer scrape-secret').expect(200);
    } finally {
      await guarded.close();
    }
  });

  describe('in production', () => {
    it('is off without METRICS_TOKEN: the same 404 as an unknown path, whatever the caller sends', async () => {
      const production = await createTestApp({ nodeEnv: 'production', metricsToken: null });
      try {
        const server = production.getHttpServer();
        const unknown = await request(server).get('/nowhere').expect(404);
        for (const authorization of [undefined, 'Bearer anything']) {
          const scrape = request(server).get('/metrics');
          const response = await (authorization ? scrape.set('Authorization', authorization) : scrape).expect(404);
          expect(response.body).toEqual({ detail: 'Not Found' });
          expect(response.text).toBe(unknown.text);
          expect(response.headers['content-type']).toBe(unknown.headers['content-type']);
          expect(response.headers['cache-control']).toBe(unknown.headers['cache-control']);
        }
      } finally {
        await production.close();
      }
    });

    it('is served with METRICS_TOKEN, to its bearer only', async () => {
      const token = randomBytes(32).toString('base64url');
      const production = await createTestApp({ nodeEnv: 'production', metricsToken: token });
      try {
        const server = production.getHttpServer();
        await request(server).get('/metrics').expect(401);
        await request(server)
          .get('/metrics')
          .set('Authorization', `Bearer ${randomBytes(32).toString('base64url')}`)
          .expect(401);
        const response = await request(server).get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
        expect(response.text).toMatch(/^http_request_duration_seconds_count\{/m);
      } finally {
        await production.close();
      }
    });
  });
});
