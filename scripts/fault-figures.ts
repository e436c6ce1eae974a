import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/** One measured figure of a fault scenario, as a row of the table in docs/reliability.md. */
export interface Figure {
  /** The spec file that measured it: the table lists files in name order, whatever order they ran in. */
  spec: string;
  scenario: string;
  measure: string;
  target: string;
  measured: string;
  /** Null for a figure that is reported without a target. */
  pass: boolean | null;
}

export const TABLE_START = '<!-- fault-figures:start -->';
export const TABLE_END = '<!-- fault-figures:end -->';

/** One JSON line per figure: the fault specs run in their own Jest process and append here. */
export function appendFigures(file: string, figures: Figure[]): void {
  appendFileSync(file, figures.map((figure) => `${JSON.stringify(figure)}\n`).join(''));
}

export function readFigures(file: string): Figure[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Figure);
}

const cell = (text: string) => text.replace(/\|/g, '\\|');
const verdict = (pass: boolean | null) => (pass === null ? '-' : pass ? 'yes' : '**no**');

/** The Markdown table, each scenario named on its first row only. */
export function figureTable(measured: Figure[]): string {
  const figures = [...measured].sort((a, b) => a.spec.localeCompare(b.spec));
  const rows = figures.map((figure, index) => {
    const scenario = index > 0 && figures[index - 1].scenario === figure.scenario ? '' : figure.scenario;
    return `| ${[scenario, figure.measure, figure.target, figure.measured, verdict(figure.pass)].map(cell).join(' | ')} |`;
  });
  return [
    '| Scenario | What is measured | Target | Measured | Pass |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
  ].join('\n');
}

/** `document` with the text between the table markers replaced by `table`. */
export function replaceTable(document: string, table: string): string {
  const start = document.indexOf(TABLE_START);
  const end = document.indexOf(TABLE_END);
  if (start === -1 || end < start) throw new Error(`the document has no ${TABLE_START} ... ${TABLE_END} section`);
  return `${document.slice(0, start + TABLE_START.length)}\n${table}\n${document.slice(end)}`;
}
