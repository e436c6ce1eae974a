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
  /** The NODE_OPTIONS every Node server of the run had: the production image's. */
  nodeOptions: string;
  settings: Record<string, number>;
  smoke: boolean;
  targets: TargetFigures[];
  hashCostMs: number;
  contention: { alone: LoadResult; underLogin: LoadResult; login: LoadResult };
  rssAfterRunMb: { cached: number; uncached: number };
  /** Resident memory of each API process once started, idle, before any request. */
  rssAtStartMb: { cached: number; uncached: number };
  /** The highest resident memory of each API process over the whole run. */
  peakRssMb: { cached: number; uncached: number };
  /** Cached item reads per second: one API process, and WEB_CONCURRENCY=2, both unpinned. */
  cores: { one: number; two: number };
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

export const PEAK_RSS_LIMIT_MB = 150;
export const START_RSS_LIMIT_MB = 110;
export const CACHED_P99_LIMIT_MS = 10;

/** The targets the product is held to, from the figures of one run. */
export function checks(report: Report): Check[] {
  const target = (id: string) => report.targets.find((t) => t.id === id);
  const rps = (id: string) => target(id)?.rps ?? Number.NaN;
  const ratio = (name: string, ours: string, base: string, bound: number): Check => ({
    name,
    value: rps(ours) / rps(base),
    bound,
    unit: '',
  });
  const memory = (name: string, value: number, bound: number): Check => ({
    name,
    value,
    bound,
    atMost: true,
    unit: ' MB',
  });
  return [
    ratio('(a) health / bare Nest health', 'a', 'n1', 0.8),
    ratio('(c) item, cache hit / bare Nest + Redis GET', 'c', 'n3', 0.75),
    ratio('(b) item, cache off / bare Nest + TypeORM', 'b', 'n2', 0.75),
    ratio('(d) 100 items / (3) Fastify + pg, the same 100 rows', 'd', '3-list', 0.7),
    ratio('(e) create item / (3) Fastify + pg INSERT', 'e', '3-insert', 0.4),
    {
      name: '(c) item, cache hit: p99 at 64 connections',
      value: target('c')?.p99 ?? Number.NaN,
      bound: CACHED_P99_LIMIT_MS,
      atMost: true,
      unit: ' ms',
    },
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
    memory('API peak RSS over the run, cache on', report.peakRssMb.cached, PEAK_RSS_LIMIT_MB),
    memory('API peak RSS over the run, cache off', report.peakRssMb.uncached, PEAK_RSS_LIMIT_MB),
    memory('API RSS idle after start, cache on', report.rssAtStartMb.cached, START_RSS_LIMIT_MB),
    memory('API RSS idle after start, cache off', report.rssAtStartMb.uncached, START_RSS_LIMIT_MB),
  ];
}

export const met = (check: Check) => (check.atMost ? check.value <= check.bound : check.value >= check.bound);

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
    `- Ours: the production build (\`node dist/src/main.js\`, NODE_ENV=production, LOG_LEVEL=warn), one process with the response cache on and one with it off; every Node server runs with the image's NODE_OPTIONS (\`${report.nodeOptions}\`)`,
    "- Peak RSS: the highest resident memory of the server sampled every 200 ms during the target's runs (in the targets: over the whole run); RSS at start: 5 s after the process answered, before any request; RSS after the run: once the queue benchmark is over, the API processes having served every target and then idled for about a minute",
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
        `| ${c.name} | ${fixed(c.value, c.unit === '' || c.unit === ' ms' ? 2 : 0)}${c.unit} | ${c.atMost ? '<=' : '>='} ${c.bound}${c.unit} | ${met(c) ? 'yes' : '**no**'} |`,
    ),
    '',
    '## Memory and cores',
    '',
    `- API process with the cache on: ${fixed(report.rssAtStartMb.cached)} MB at start, ${fixed(report.peakRssMb.cached)} MB at its peak, ${fixed(report.rssAfterRunMb.cached)} MB after the run; with the cache off: ${fixed(report.rssAtStartMb.uncached)}, ${fixed(report.peakRssMb.uncached)} and ${fixed(report.rssAfterRunMb.uncached)} MB.`,
    `- Cached item reads with the API free to use both cores: one process ${fixed(report.cores.one)} req/s, two (WEB_CONCURRENCY=2) ${fixed(report.cores.two)} req/s (${fixed(report.cores.two / report.cores.one, 2)}×; wrk, PostgreSQL and Redis share the second core).`,
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
