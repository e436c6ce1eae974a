// @ts-check
import { parseArgs } from 'node:util';
import { UnsuccessfulWorkflowExecution } from '@angular-devkit/schematics';
import { NodeWorkflow } from '@angular-devkit/schematics/tools/index.js';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { lastValueFrom } from 'rxjs';

/**
 * `npm run generate:module -- <name> <field...> [--shared | --scope organization] [--singular <word>] [--dry-run]`: runs the
 * feature-module schematic in the current directory, lists what it wrote, and exits non-zero
 * on any error (the Nest CLI prints schematic errors but exits 0).
 */
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    shared: { type: 'boolean', default: false },
    scope: { type: 'string' },
    singular: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
});
const [name, ...fields] = positionals;
if (!name || fields.length === 0) {
  process.stderr.write(
    'usage: npm run generate:module -- <name, plural> <field:type[:size][?]>... [--shared | --scope owner|shared|organization] [--singular <word>] [--dry-run]\n',
  );
  process.stderr.write(
    '  e.g. npm run generate:module -- products title:string:120 price:decimal:10:2 in_stock:boolean? released:date?\n',
  );
  process.exit(2);
}

const workflow = new NodeWorkflow(process.cwd(), { dryRun: values['dry-run'] });
/** @type {string[]} */
const written = [];
workflow.reporter.subscribe((event) => {
  if (event.kind === 'create' || event.kind === 'update') written.push(event.path.replace(/^\//, ''));
  const verb = { create: 'CREATE', update: 'UPDATE', delete: 'DELETE', rename: 'RENAME', error: 'ERROR' }[event.kind];
  process.stdout.write(
    `${verb} ${event.path.replace(/^\//, '')}${event.kind === 'error' ? ` (${event.description})` : ''}\n`,
  );
});

try {
  const run = workflow.execute({
    collection: new URL('collection.json', import.meta.url).pathname,
    schematic: 'feature-module',
    options: {
      name,
      fields: fields.join(' '),
      scope: values.scope ?? (values.shared ? 'shared' : 'owner'),
      singular: values.singular,
    },
  });
  await lastValueFrom(run, { defaultValue: undefined });
  if (values['dry-run']) process.stdout.write('Dry run: nothing written.\n');
  else await formatWritten(written);
} catch (error) {
  if (!(error instanceof UnsuccessfulWorkflowExecution))
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}

/**
 * Lays the written files out as the project's Prettier configuration says, so that the output
 * passes `npm run lint` whatever width the project chose.
 * @param {string[]} paths
 */
async function formatWritten(paths) {
  for (const path of paths) {
    const file = join(process.cwd(), path);
    const options = await prettier.resolveConfig(file);
    const info = await prettier.getFileInfo(file, { ignorePath: join(process.cwd(), '.prettierignore') });
    if (info.ignored || !info.inferredParser) continue;
    await writeFile(file, await prettier.format(await readFile(file, 'utf8'), { ...options, filepath: file }));
  }
}
