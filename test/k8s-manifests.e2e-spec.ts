import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { parseAllDocuments } from 'yaml';
import { ConfigError, loadConfig } from '../src/config/app-config.js';

/** The Kubernetes manifests, checked against the Kubernetes schemas and for what operations need. */
const directory = join(import.meta.dirname, '..', 'deploy', 'k8s');
const manifests = readdirSync(directory)
  .filter((file) => file.endsWith('.yaml'))
  .flatMap((file) =>
    parseAllDocuments(readFileSync(join(directory, file), 'utf8')).map((doc) => ({ file, body: doc.toJSON() })),
  );

const MODELS: Record<string, new (body: never) => { validate(): void }> = {
  'apps/v1/Deployment': Deployment,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'batch/v1/Job': Job,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
};

const find = (kind: string, name: string) =>
  manifests.find((m) => m.body.kind === kind && m.body.metadata.name === name)?.body;

describe('Kubernetes manifests', () => {
  it.each(manifests.map((m) => [`${m.file}: ${m.body.kind} ${m.body.metadata?.name}`, m.body]))(
    '%s matches the schema',
    (_, body) => {
      const Model = MODELS[`${body.apiVersion}/${body.kind}`];
      expect(Model).toBeDefined();
      expect(() => new Model(body as never).validate()).not.toThrow();
    },
  );

  it('probes the API on /health/ready and /health/live, and requests resources everywhere', () => {
    const api = find('Deployment', 'nest-api');
    const [container] = api.spec.template.spec.containers;
    expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
    expect(container.livenessProbe.httpGet.path).toBe('/health/live');
    for (const workload of [api, find('Deployment', 'nest-worker'), find('Job', 'nest-api-migrate')]) {
      for (const c of workload.spec.template.spec.containers) {
        expect(c.resources.requests).toEqual(
          expect.objectContaining({ cpu: expect.any(String), memory: expect.any(String) }),
        );
        expect(c.image).toBe('nest-fullstack-api:latest');
      }
    }
  });

  it('autoscales the API Deployment on CPU, which its containers request, and keeps one pod through disruptions', () => {
    const autoscaler = find('HorizontalPodAutoscaler', 'nest-api');
    const api = find('Deployment', 'nest-api');
    expect(autoscaler.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'nest-api' });
    expect(autoscaler.spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(autoscaler.spec.maxReplicas).toBeGreaterThan(autoscaler.spec.minReplicas);
    expect(autoscaler.spec.metrics).toContainEqual(
      expect.objectContaining({ type: 'Resource', resource: expect.objectContaining({ name: 'cpu' }) }),
    );
    // A fixed count in the Deployment would be reset by every `kubectl apply`, fighting the autoscaler.
    expect(api.spec.replicas).toBeUndefined();
    expect(api.spec.template.spec.containers[0].resources.requests.cpu).toBeDefined();
    const budget = find('PodDisruptionBudget', 'nest-api');
    expect(budget.spec.selector.matchLabels).toEqual(api.spec.selector.matchLabels);
  });

  it('runs the worker and the migration from the same image with their commands', () => {
    expect(find('Deployment', 'nest-worker').spec.template.spec.containers[0].command).toEqual([
      'node',
      'dist/src/worker.js',
    ]);
    expect(find('Job', 'nest-api-migrate').spec.template.spec.containers[0].command).toEqual([
      'npx',
      'typeorm',
      '-d',
      'dist/ormconfig.js',
      'migration:run',
    ]);
    expect(find('ConfigMap', 'nest-api-config').data.DB_MIGRATE_ON_START).toBe('false');
  });

  it('takes the OTLP endpoint and the sampler from the ConfigMap, off while empty, with a service name per workload', () => {
    const config = find('ConfigMap', 'nest-api-config').data;
    expect(config).toMatchObject({
      OTEL_EXPORTER_OTLP_ENDPOINT: '',
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
    });
    const serviceName = (kind: string, name: string) =>
      (find(kind, name).spec.template.spec.containers[0].env as { name: string; value: string }[]).find(
        (variable) => variable.name === 'OTEL_SERVICE_NAME',
      )?.value;
    expect([serviceName('Deployment', 'nest-api'), serviceName('Deployment', 'nest-worker')]).toEqual([
      'nest-api',
      'nest-worker',
    ]);
  });

  it('ships a Secret template that production refuses until its placeholders are replaced', () => {
    const env = { ...find('ConfigMap', 'nest-api-config').data, ...find('Secret', 'nest-api-secrets').stringData };
    expect(env.NODE_ENV).toBe('production');
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(
      /SECRET_KEY must be set to a random secret.*FIRST_SUPERUSER_PASSWORD must be changed/,
    );
    // The API reads METRICS_TOKEN from the Secret; empty, /metrics stays off until the operator sets one.
    expect(find('Deployment', 'nest-api').spec.template.spec.containers[0].envFrom).toContainEqual({
      secretRef: { name: 'nest-api-secrets' },
    });
    expect(env.METRICS_TOKEN).toBe('');
    const filledIn = {
      ...env,
      SECRET_KEY: randomBytes(48).toString('base64'),
      FIRST_SUPERUSER_PASSWORD: 'a-real-password',
    };
    expect(loadConfig(filledIn).metricsToken).toBeNull();
  });

  it('gives pods more time to stop than the app needs to drain and close', () => {
    const config = find('ConfigMap', 'nest-api-config').data;
    const api = find('Deployment', 'nest-api').spec.template.spec;
    expect(api.terminationGracePeriodSeconds * 1000).toBeGreaterThan(Number(config.SHUTDOWN_TIMEOUT_MS));
  });
});
