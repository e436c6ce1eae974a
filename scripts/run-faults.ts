import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { figureTable, readFigures, replaceTable } from './fault-figures.js';
import { runJest } from './run-jest.js';

/**
 * `npm run test:faults`: runs the fault scenarios (test/faults/*.fault-spec.ts, one at a time:
 * each starts its own PostgreSQL, Redis, API and worker and breaks them), then writes the figures
 * they measured into the table of docs/reliability.md, failed ones included. With Jest
 * arguments (a file name pattern, say) the scenarios run as usual and the table stays as it is.
 */

const projectRoot = join(import.meta.dirname, '..', '..');
const reportPath = join(projectRoot, 'docs', 'reliability.md');

async function main(): Promise<number> {
  const scratchDir = mkdtempSync(join(tmpdir(), 'fault-figures-'));
  const figuresFile = join(scratchDir, 'figures.jsonl');
  const jestArguments = process.argv.slice(2);
  const started = Date.now();
  try {
    const exitCode = await runJest(['--config', 'jest.faults.config.js', '--runInBand', ...jestArguments], {
      ...process.env,
      NODE_ENV: 'test',
      FAULT_FIGURES_FILE: figuresFile,
    });
    const figures = readFigures(figuresFile);
    // A run of some scenarios only (Jest arguments given) would drop the others' figures.
    if (jestArguments.length > 0) return exitCode;
    if (figures.length === 0) {
      process.stderr.write('[faults] no figures were measured; docs/reliability.md is left as it is\n');
      return exitCode || 1;
    }
    const seconds = Math.round((Date.now() - started) / 1000);
    const machine = `${cpus().length} CPUs (${cpus()[0]?.model.trim() ?? 'unknown'}), Node ${process.version}`;
    const heading = `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machine}; the scenarios took ${seconds} s.\n`;
    writeFileSync(reportPath, replaceTable(readFileSync(reportPath, 'utf8'), `${heading}\n${figureTable(figures)}`));
    process.stderr.write(`[faults] ${figures.length} figures written to docs/reliability.md\n`);
    return exitCode;
  } finally {
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

process.exit(await main());
