import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { buildOpenApiDocument } from '../src/app.setup.js';
import { RouteTable } from '../src/common/http/route-table.js';
import { AppConfig } from '../src/config/app-config.js';
import { committedOpenApiDocument, type OpenApiDocument, operationsOf } from './fuzz/openapi-operations.js';
import { ApiProcess } from './utils/api-process.js';
import { createTestApp } from './utils/test-app.js';
import { bearer, createUser, login } from './utils/users.js';

/** Served, but not API: the documentation itself and the queue dashboard's web app. */
const NOT_API = [
  /^\/docs/,
  /^\/redoc/,
  /^\/api\/v1\/openapi\.json$/,
  /^\/api\/v1\/admin\/queues\//,
  /^\/api\/v1\/admin\/queues$/,
];

const route = (method: string, path: string) =>
  `${method} ${path.replace(/\{(\w+)\}/g, ':$1').replace(/(.)\/$/, '$1')}`;

describe('the OpenAPI document as the inventory of the API', () => {
  let app: NestFastifyApplication;
  let document: OpenApiDocument;

  beforeAll(async () => {
    app = await createTestApp();
    document = buildOpenApiDocument(app, app.get(AppConfig)) as unknown as OpenApiDocument;
  });

  afterAll(async () => {
    await app.close();
  });

  it('is committed as openapi.json, identical to what the built API serves (npm run openapi writes it)', async () => {
    const committed = committedOpenApiDocument();
    const api = await new ApiProcess({ SHUTDOWN_DRAIN_MS: '0' }).start();
    try {
      expect(await (await fetch(`${api.base}/api/v1/openapi.json`)).json()).toEqual(committed);
    } finally {
      await api.stop();
    }
  }, 60_000);

  it('documents every route the app serves, and serves every route it documents', () => {
    const served = new Set(
      app
        .get(RouteTable)
        .entries.filter(
          ({ method, url }) =>
            method !== 'HEAD' && method !== 'OPTIONS' && !NOT_API.some((pattern) => pattern.test(url)),
        )
        .map(({ method, url }) => route(method, url)),
    );
    const documented = new Set(operationsOf(document).map((operation) => route(operation.method, operation.path)));
    expect([...served].filter((entry) => !documented.has(entry)).sort()).toEqual([]);
    expect([...documented].filter((entry) => !served.has(entry)).sort()).toEqual([]);
  });

  it('answers every documented operation from its own handler, never the router 404 or 405', async () => {
    const password = 'inventory superuser password';
    const admin = await createUser(app, { password, is_superuser: true });
    const headers = bearer((await login(app, admin.email, password)).access_token);
    const item = (
      await app.inject({ method: 'POST', url: '/api/v1/items/', headers, payload: { title: 'inventory' } })
    ).json<{ id: string }>();
    const ids: Record<string, string> = {
      id: item.id,
      user_id: admin.id,
      key_id: admin.id,
      job_id: '1',
      email: admin.email,
    };

    // Logout last: it ends this caller's session.
    const operations = operationsOf(document).sort(
      (a, b) => Number(a.path.endsWith('/logout')) - Number(b.path.endsWith('/logout')),
    );
    for (const operation of operations) {
      const url = operation.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(ids[name]));
      const response = await app.inject({
        method: operation.method as 'GET',
        url,
        headers,
        payload: operation.bodySchema ? {} : undefined,
      });
      const routerAnswer =
        [404, 405].includes(response.statusCode) &&
        ['Not Found', 'Method Not Allowed'].includes(response.json<{ detail: unknown }>().detail as string);
      expect({ operation: operation.id, routerAnswer, serverError: response.statusCode >= 500 }).toEqual({
        operation: operation.id,
        routerAnswer: false,
        serverError: false,
      });
    }
  }, 30_000);
});
