import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { createTestApp } from './utils/test-app.js';

describe('API documentation', () => {
  let app: NestFastifyApplication;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    app = await createTestApp();
  });

  afterAll(async () => {
    await app.close();
  });

  it('serves the OpenAPI 3 document under the API prefix and at /docs-json', async () => {
    const spec = await http()
      .get('/api/v1/openapi.json')
      .expect(200)
      .expect('Content-Type', /application\/json/);
    expect(spec.body.openapi).toMatch(/^3\./);
    expect(spec.body.paths['/health/live']).toBeDefined();
    const same = await http().get('/docs-json').expect(200);
    expect(same.body).toEqual(spec.body);
  });

  it('declares the OAuth2 password flow or an API key, required except on public routes', async () => {
    const { body: spec } = await http().get('/api/v1/openapi.json').expect(200);
    expect(spec.components.securitySchemes.OAuth2PasswordBearer).toEqual({
      type: 'oauth2',
      flows: { password: { tokenUrl: '/api/v1/login/access-token', scopes: {} } },
    });
    expect(spec.security).toEqual([{ OAuth2PasswordBearer: [] }, { APIKeyHeader: [] }]);
    expect(spec.paths['/api/v1/users/me'].get.security).toBeUndefined();
    for (const [path, method] of [
      ['/api/v1/login/access-token', 'post'],
      ['/api/v1/users/signup', 'post'],
      ['/health/live', 'get'],
    ]) {
      expect(spec.paths[path][method].security).toEqual([{}]);
    }
  });

  it('serves Swagger UI with every asset from the app itself', async () => {
    const page = await http()
      .get('/docs')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1]);
    expect(assets.length).toBeGreaterThan(2);
    for (const asset of assets) {
      expect(asset).not.toMatch(/^(https?:)?\/\//);
      await http().get(new URL(asset, 'http://app/docs').pathname).expect(200);
    }
  });

  it('serves ReDoc with a local bundle', async () => {
    const page = await http()
      .get('/redoc')
      .expect(200)
      .expect('Content-Type', /text\/html/);
    expect(page.text).toContain('spec-url="/api/v1/openapi.json"');
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    const bundle = await http().get('/redoc/redoc.standalone.js').expect(200);
    expect(bundle.headers['content-type']).toMatch(/javascript/);
    expect(bundle.text.length).toBeGreaterThan(100_000);
  });
});
