import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** One wrk run's figures. Latencies are in milliseconds. */
export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export interface LoadRequest {
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
}

/** The CPU the load generator runs on; servers run on the other one (see `pinned`). */
export const LOAD_CPU = 1;
export const SERVER_CPU = 0;

export const canPin = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

/** `command args` run on one CPU through taskset, or as it is where taskset is missing. */
export function pinned(cpu: number, command: string, args: string[]): [string, string[]] {
  return canPin ? ['taskset', ['-c', String(cpu), command, ...args]] : [command, args];
}

export function pinProcess(pid: number, cpu: number): void {
  if (canPin) spawnSync('taskset', ['-a', '-p', '-c', String(cpu), String(pid)], { stdio: 'ignore' });
}

export function requireWrk(): void {
  if (spawnSync('wrk', ['--version']).error) {
    throw new Error('wrk is not installed (Debian/Ubuntu: apt-get install wrk; macOS: brew install wrk)');
  }
}

const luaString = (value: string) => JSON.stringify(value);

/** A wrk script for the request, whose `done` prints the figures as one JSON line. */
function wrkScript(request: LoadRequest): string {
  const lines = [`wrk.method = ${luaString(request.method ?? 'GET')}`];
  if (request.body !== undefined) lines.push(`wrk.body = ${luaString(request.body)}`);
  for (const [name, value] of Object.entries(request.headers ?? {}))
    lines.push(`wrk.headers[${luaString(name)}] = ${luaString(value)}`);
  lines.push(
    'done = function(summary, latency, requests)',
    '  local e = summary.errors',
    '  local p50, p99 = 0, 0',
    '  if summary.requests > 0 then p50, p99 = latency:percentile(50), latency:percentile(99) end',
    '  io.write(string.format(\'\\n@@{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"errors":%d}\\n\',',
    '    summary.requests, summary.duration, p50, p99,',
    '    e.connect + e.read + e.write + e.status + e.timeout))',
    'end',
  );
  return lines.join('\n');
}

/** Runs wrk on the load CPU for `request.seconds` and returns its figures. */
export async function runLoad(request: LoadRequest): Promise<LoadResult> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-wrk-'));
  const script = join(dir, 'request.lua');
  writeFileSync(script, wrkScript(request));
  try {
    const [command, args] = pinned(LOAD_CPU, 'wrk', [
      '-t1',
      `-c${request.connections}`,
      `-d${request.seconds}s`,
      '--timeout',
      '5s',
      '-s',
      script,
      request.url,
    ]);
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`wrk exited with ${code}: ${text.trim()}`)),
      );
    });
    const line = output.split('\n').find((candidate) => candidate.startsWith('@@'));
    if (!line) throw new Error(`wrk printed no figures: ${output.trim()}`);
    const figures = JSON.parse(line.slice(2)) as {
      requests: number;
      duration_us: number;
      p50_us: number;
      p99_us: number;
      errors: number;
    };
    const seconds = figures.duration_us / 1e6;
    return {
      requests: figures.requests,
      seconds,
      rps: figures.requests / seconds,
      p50: figures.p50_us / 1000,
      p99: figures.p99_us / 1000,
      errors: figures.errors,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The run whose rate is the median of `runs` (an odd count gives a real run). */
export function medianRun(runs: LoadResult[]): LoadResult {
  const sorted = [...runs].sort((a, b) => a.rps - b.rps);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Samples a process's resident memory while load runs; `peak()` is the highest seen, in MB. */
export class RssSampler {
  private highest = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly pid: number) {}

  static read(pid: number): number {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    return kb / 1024;
  }

  start(): void {
    this.highest = Math.max(this.highest, RssSampler.read(this.pid));
    this.timer = setInterval(() => (this.highest = Math.max(this.highest, RssSampler.read(this.pid))), 200);
  }

  stop(): number {
    clearInterval(this.timer);
    this.highest = Math.max(this.highest, RssSampler.read(this.pid));
    const peak = this.highest;
    this.highest = 0;
    return peak;
  }
}
