import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { embeddedPostgresMajorVersion } from '../scripts/local-services.js';

/**
 * There is no Docker engine where the tests run: the compose files are checked as data, for
 * what `docker compose up` relies on.
 */
interface Service {
  build?: unknown;
  image?: string;
  command?: string[];
  ports?: string[];
  expose?: string[];
  depends_on?: Record<string, { condition: string }> | string[];
  healthcheck?: { test?: string[]; disable?: boolean };
  environment?: Record<string, string>;
  profiles?: string[];
  volumes?: string[];
}

const root = join(import.meta.dirname, '..');
const load = (file: string) =>
  parse(readFileSync(join(root, file), 'utf8'), { merge: true }) as {
    services: Record<string, Service>;
    volumes?: Record<string, unknown>;
  };

describe('docker-compose.yml', () => {
  const { services, volumes } = load('docker-compose.yml');

  it('has every service of the stack', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'db',
      'jaeger',
      'mailpit',
      'migrate',
      'pgadmin',
      'proxy',
      'redis',
      'worker',
    ]);
    expect(services.pgadmin.profiles).toEqual(['debug']);
    expect(services.jaeger.profiles).toEqual(['tracing']);
  });

  it('wires the API and the worker to the OTLP endpoint, each under its own service name', () => {
    for (const [name, serviceName] of [
      ['api', 'api'],
      ['worker', 'worker'],
    ] as const) {
      expect(services[name].environment).toMatchObject({
        OTEL_EXPORTER_OTLP_ENDPOINT: '${OTEL_EXPORTER_OTLP_ENDPOINT:-}',
        OTEL_SERVICE_NAME: serviceName,
        // The rest of the shared settings stay.
        DATABASE_URL: expect.stringContaining('@db:5432/') as unknown,
      });
    }
    expect(services.jaeger.expose).toContain('4318');
  });

  it('keeps data in named volumes, Redis with AOF and noeviction', () => {
    expect(services.db.volumes).toContain('app-db-data:/var/lib/postgresql/data');
    expect(services.redis.volumes).toContain('app-redis-data:/data');
    expect(Object.keys(volumes ?? {})).toEqual(expect.arrayContaining(['app-db-data', 'app-redis-data']));
    expect(services.redis.command).toEqual(
      expect.arrayContaining(['--appendonly', 'yes', '--maxmemory-policy', 'noeviction']),
    );
  });

  it('runs the PostgreSQL major version the tests run on', () => {
    expect(services.db.image).toBe(`postgres:${embeddedPostgresMajorVersion()}`);
  });

  it('migrates once before the API and the workers start', () => {
    expect(services.migrate.command).toEqual(['npx', 'typeorm', '-d', 'dist/ormconfig.js', 'migration:run']);
    expect(services.migrate.depends_on).toEqual({ db: { condition: 'service_healthy' } });
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on).toEqual({
        migrate: { condition: 'service_completed_successfully' },
        redis: { condition: 'service_healthy' },
      });
      expect(services[name].environment?.DB_MIGRATE_ON_START).toBe('false');
    }
    expect(services.worker.command).toEqual(['node', 'dist/src/worker.js']);
  });

  it('builds one image for api, worker and migrate, with secrets required from the environment', () => {
    for (const name of ['api', 'worker', 'migrate']) {
      expect(services[name].image).toBe('nest-fullstack-api:latest');
      expect(services[name].environment?.SECRET_KEY).toBe('${SECRET_KEY:?set SECRET_KEY in .env}');
      expect(services[name].environment?.NODE_ENV).toBe('production');
    }
    // Optional: without it production keeps /metrics a 404.
    expect(services.api.environment?.METRICS_TOKEN).toBe('${METRICS_TOKEN:-}');
  });

  it('health-checks db, redis and the api, and lets the api scale behind the proxy', () => {
    for (const name of ['db', 'redis', 'api']) expect(services[name].healthcheck?.test?.length).toBeGreaterThan(0);
    expect(services.api.ports).toBeUndefined();
    expect(services.api.expose).toEqual(['8000']);
    expect(services.proxy.ports).toEqual(['${PROXY_PORT:-8000}:80']);
    expect(services.proxy.depends_on).toEqual({ api: { condition: 'service_healthy' } });
  });

  it('routes /api, /docs, /redoc and /health through the proxy to the api', () => {
    const nginx = readFileSync(join(root, 'deploy', 'nginx.conf'), 'utf8');
    expect(nginx).toContain('set $api http://api:8000;');
    const routes = nginx.match(/location ~ \^\/\(([^)]+)\)/)?.[1].split('|');
    expect(routes).toEqual(expect.arrayContaining(['api', 'docs', 'redoc', 'health']));
    expect(services.mailpit.ports).toContain('8025:8025');
  });
});

describe('docker-compose.override.yml', () => {
  it('runs the api from the sources in watch mode for development', () => {
    const { services } = load('docker-compose.override.yml');
    expect(services.api.build).toEqual({ context: '.', target: 'build' });
    expect(services.api.command).toEqual(['npx', 'nest', 'start', '--watch']);
    expect(services.api.volumes).toContain('./src:/app/src');
    const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^FROM \S+ AS build$/m);
  });
});
