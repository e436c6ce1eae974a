import { basename } from 'node:path';
import { appendFigures, type Figure } from '../../scripts/fault-figures.js';

export type Target = { atMost: number } | { atLeast: number } | { equals: number };

interface Row {
  measure: string;
  value: number;
  unit: string;
  target?: Target;
}

function targetText(target: Target | undefined, unit: string): string {
  if (!target) return '-';
  if ('atMost' in target) return `≤ ${target.atMost}${unit}`;
  if ('atLeast' in target) return `≥ ${target.atLeast}${unit}`;
  return `${target.equals}${unit}`;
}

function meets(row: Row): boolean | null {
  const { target, value } = row;
  if (!target) return null;
  if ('atMost' in target) return value <= target.atMost;
  if ('atLeast' in target) return value >= target.atLeast;
  return value === target.equals;
}

const rounded = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 2 : 0));

/**
 * The figures one scenario measured. `check()` hands them all to the run's table first (so a
 * miss is reported with the rest), then fails the test on every figure that missed its target.
 */
export class FigureSheet {
  private readonly rows: Row[] = [];

  constructor(private readonly scenario: string) {}

  add(measure: string, value: number, unit: string, target?: Target): this {
    this.rows.push({ measure, value, unit, target });
    return this;
  }

  check(): void {
    const spec = basename(expect.getState().testPath ?? '');
    const figures: Figure[] = this.rows.map((row) => ({
      spec,
      scenario: this.scenario,
      measure: row.measure,
      target: targetText(row.target, row.unit),
      measured: `${rounded(row.value)}${row.unit}`,
      pass: meets(row),
    }));
    if (process.env.FAULT_FIGURES_FILE) appendFigures(process.env.FAULT_FIGURES_FILE, figures);
    process.stderr.write(
      `${this.scenario}:\n${figures.map((f) => `  ${f.measure}: ${f.measured} (target ${f.target})`).join('\n')}\n`,
    );
    expect(
      figures.filter((figure) => figure.pass === false).map((f) => `${f.measure}: ${f.measured}, target ${f.target}`),
    ).toEqual([]);
  }
}
