import type { LoadResult } from './load.js';

export interface TargetFigures extends LoadResult {
  id: string;
  label: string;
  server: string;
  peakRssMb: number;
}

export interface Report {
  date: string;
  machine: string;
  pinning: string;
  settings: Record<string, number>;
  smoke: boolean;
  targets: TargetFigures[];
  hashCostMs: number;
  contention: { alone: LoadResult; underLogin: LoadResult; login: LoadResult };
  rssAfterRunMb: { cached: number; uncached: number };
  queue: { ours: number; raw: number; jobs: number };
}

export interface Check {
  name: string;
  value: number;
  /** The bound the value must meet; `atMost` for an upper bound. */
  bound: number;
  atMost?: boolean;
  unit: string;
}

export const RSS_LIMIT_MB = 250;

/** The targets the product is held to, from the figures of one run. */
export function checks(report: Report): Check[] {
  const rps = (id: string) => report.targets.find((target) => target.id === id)?.rps ?? Number.NaN;
  const ratio = (name: string, ours: string, base: string, bound: number): Check => ({
    name,
    value: rps(ours) / rps(base),
    bound,
    unit: '',
  });
  return [
    ratio('(a) health / (2) raw Fastify', 'a', '2', 0.85),
    ratio('(b) item, cache off / (3) Fastify + pg SELECT', 'b', '3', 0.5),
    ratio('(c) item, cache hit / (4) Fastify + Redis GET', 'c', '4', 0.6),
    ratio('(d) 100 items / (3) Fastify + pg, the same 100 rows', 'd', '3-list', 0.5),
    ratio('(e) create item / (3) Fastify + pg INSERT', 'e', '3-insert', 0.4),
    {
      name: '(a) under login load / (a) alone',
      value: report.contention.underLogin.rps / report.contention.alone.rps,
      bound: 0.5,
      unit: '',
    },
    {
      name: 'queue: our worker / raw BullMQ worker',
      value: report.queue.ours / report.queue.raw,
      bound: 0.7,
      unit: '',
    },
    {
      name: 'API RSS after the run, cache on',
      value: report.rssAfterRunMb.cached,
      bound: RSS_LIMIT_MB,
      atMost: true,
      unit: ' MB',
    },
    {
      name: 'API RSS after the run, cache off',
      value: report.rssAfterRunMb.uncached,
      bound: RSS_LIMIT_MB,
      atMost: true,
      unit: ' MB',
    },
  ];
}

export const met = (check: Check) => (check.atMost ? check.value < check.bound : check.value >= check.bound);

const fixed = (value: number, digits = 0) => value.toFixed(digits);

/** Raw stack, bare Nest and ours on the same three routes: what the framework costs, what we add. */
const LAYERS = [
  { route: '`/health/live` JSON', raw: '2', bare: 'n1', ours: 'a' },
  { route: 'an item by id, uncached', raw: '3', bare: 'n2', ours: 'b' },
  { route: 'an item from Redis (ours: a cache hit)', raw: '4', bare: 'n3', ours: 'c' },
];

function layerLines(report: Report): string[] {
  const rps = (id: string) => report.targets.find((target) => target.id === id)?.rps;
  const rows = LAYERS.filter((layer) => rps(layer.bare) !== undefined).map((layer) => {
    const [raw, bare, ours] = [rps(layer.raw)!, rps(layer.bare)!, rps(layer.ours)!];
    return `| ${layer.route} | ${fixed(raw)} | ${fixed(bare)} | ${fixed(ours)} | ${fixed(bare / raw, 2)} | ${fixed(ours / bare, 2)} |`;
  });
  if (rows.length === 0) return [];
  return [
    '## The framework and the product',
    '',
    'Requests per second of the raw stack, of a bare NestJS app on Fastify (`bench/bare-nest.ts`: no global guard, pipe, interceptor or filter) and of ours, on the same routes:',
    '',
    '| route | raw | bare Nest | ours | bare Nest / raw | ours / bare Nest |',
    '|---|---:|---:|---:|---:|---:|',
    ...rows,
    '',
  ];
}

/** Ours beside another checkout's build (`--compare`), in the same runs. */
function comparedLines(report: Report): string[] {
  const target = (id: string) => report.targets.find((t) => t.id === id);
  const pairs = [
    ['`GET /health/live`', 'a', 'a-cmp'],
    ['cached item', 'c', 'c-cmp'],
  ].filter(([, , other]) => target(other));
  if (pairs.length === 0) return [];
  return [
    '## Against the compared build',
    '',
    '| route | ours req/s | compared req/s | ours / compared | ours p99 ms | compared p99 ms |',
    '|---|---:|---:|---:|---:|---:|',
    ...pairs.map(([route, ours, other]) => {
      const [a, b] = [target(ours)!, target(other)!];
      return `| ${route} | ${fixed(a.rps)} | ${fixed(b.rps)} | ${fixed(a.rps / b.rps, 2)} | ${fixed(a.p99, 2)} | ${fixed(b.p99, 2)} |`;
    }),
    '',
  ];
}

export function renderReport(report: Report): string {
  const s = report.settings;
  const lines = [
    '# Benchmark results',
    '',
    `Written by \`npm run bench\`${report.smoke ? ' (smoke run: figures too short to judge by)' : ''} on ${report.date.slice(0, 10)}.`,
    '',
    `- Machine: ${report.machine}`,
    `- Placement: ${report.pinning}`,
    `- Load: wrk, ${s.connections} connections (${s.loginConnections} for login), a ${s.warmupSeconds} s warm-up, then ${s.runs} runs of ${s.runSeconds} s per target, alternating with the baseline it is compared to; the median run is shown, errors are summed over all runs`,
    '- Ours: the production build (`node dist/src/main.js`, NODE_ENV=production, LOG_LEVEL=warn), one process with the response cache on and one with it off',
    "- Peak RSS: the highest resident memory of the server sampled every 200 ms during the target's runs; RSS after the run: read once the queue benchmark is over, the API processes having served every target and then idled for about a minute",
    '- Where a target is missed, [README.md](README.md) shows the profile and what it would take',
    '',
    '## Requests',
    '',
    '| | target | server | req/s | p50 ms | p99 ms | errors | peak RSS MB |',
    '|---|---|---|---:|---:|---:|---:|---:|',
    ...report.targets.map(
      (t) =>
        `| ${t.id} | ${t.label} | ${t.server} | ${fixed(t.rps)} | ${fixed(t.p50, 2)} | ${fixed(t.p99, 2)} | ${t.errors} | ${fixed(t.peakRssMb)} |`,
    ),
    '',
    ...layerLines(report),
    ...comparedLines(report),
    '## Targets',
    '',
    '| check | measured | target | met |',
    '|---|---:|---:|---|',
    ...checks(report).map(
      (c) =>
        `| ${c.name} | ${fixed(c.value, c.unit ? 0 : 2)}${c.unit} | ${c.atMost ? '<' : '>='} ${c.bound}${c.unit} | ${met(c) ? 'yes' : '**no**'} |`,
    ),
    '',
    '## Login',
    '',
    `- Password hash cost: one argon2id verification takes ${fixed(report.hashCostMs, 1)} ms on one core (19 MiB, 2 iterations, 1 lane).`,
    `- Login alone (f): ${fixed(report.targets.find((t) => t.id === 'f')?.rps ?? 0, 1)} logins/s, p99 ${fixed(report.targets.find((t) => t.id === 'f')?.p99 ?? 0, 1)} ms with ${s.loginConnections} connections.`,
    `- With health probes beside it: ${fixed(report.contention.login.rps, 1)} logins/s, p99 ${fixed(report.contention.login.p99, 1)} ms, while /health/live served ${fixed(report.contention.underLogin.rps)} req/s (p99 ${fixed(report.contention.underLogin.p99, 2)} ms) against ${fixed(report.contention.alone.rps)} req/s alone.`,
    '',
    '## Queue',
    '',
    `${report.queue.jobs} echo jobs queued while paused, then drained with concurrency ${s.workerConcurrency}: our worker (\`node dist/src/worker.js\`) ${fixed(report.queue.ours)} jobs/s, a raw BullMQ worker ${fixed(report.queue.raw)} jobs/s (medians of ${s.runs} runs each).`,
    '',
  ];
  return lines.join('\n');
}
