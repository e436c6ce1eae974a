import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Report } from '../bench/report.js';

const TARGETS = [
  '1',
  '2',
  'n1',
  'a',
  '3',
  'n2',
  'b',
  '4',
  'n3',
  'c',
  '3-list',
  'd',
  '3-insert',
  'e',
  'f',
  'c-1',
  'c-2',
];

/** `npm run bench` end to end with runs of a second, so the benchmark cannot rot unnoticed. */
describe('the benchmark, as a smoke run', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('measures every target without an error and writes the report', async () => {
    const out = join(dir, 'results.md');
    // Its own PostgreSQL and Redis: the suite's test environment is not passed on.
    await promisify(execFile)(
      process.execPath,
      [join(import.meta.dirname, '..', 'dist', 'bench', 'run.js'), '--smoke', '--out', out],
      {
        env: { PATH: process.env.PATH },
        timeout: 150_000,
      },
    );
    const report = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Report;
    expect(report.targets.map((target) => target.id).sort()).toEqual([...TARGETS].sort());
    for (const target of report.targets) {
      expect({ id: target.id, errors: target.errors }).toEqual({ id: target.id, errors: 0 });
      expect(target.requests).toBeGreaterThan(0);
      expect(target.peakRssMb).toBeGreaterThan(0);
    }
    expect(report.contention.underLogin.errors + report.contention.login.errors).toBe(0);
    expect(report.queue.ours).toBeGreaterThan(0);
    expect(report.queue.raw).toBeGreaterThan(0);
    expect(report.rssAtStartMb.cached).toBeGreaterThan(0);
    expect(report.peakRssMb.cached).toBeGreaterThanOrEqual(report.rssAtStartMb.cached);
    const markdown = readFileSync(out, 'utf8');
    for (const heading of [
      '## Requests',
      '## The framework and the product',
      '## Targets',
      '## Memory and cores',
      '## Login',
      '## Queue',
    ])
      expect(markdown).toContain(heading);
  }, 180_000);
});
