import 'reflect-metadata';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * `npm run openapi` writes `openapi.json`, the API's OpenAPI document, from the code alone: the
 * app is built in Nest's preview mode, which creates no provider, so no database or Redis is
 * needed. Then it regenerates the typed SDK in `sdk/src/` from that document
 * (sdk/openapi-ts.config.ts). `npm run openapi -- --check` writes nothing and exits 1 when the
 * committed `openapi.json` differs from the code, or the committed SDK from what `openapi.json`
 * generates. `--sdk-dir <dir>` names another copy of the SDK package to check or write (the
 * check's own test uses one).
 */

const projectRoot = join(import.meta.dirname, '..', '..');
const OPENAPI_FILE = join(projectRoot, 'openapi.json');

/** @hey-api/openapi-ts declares Node >= 22.18 in its `engines`; refuse plainly rather than run it unsupported. */
const GENERATOR_MIN_NODE = [22, 18] as const;

// Preview mode never connects; the configuration only has to validate.
process.env.DATABASE_URL ??= 'postgresql://preview@127.0.0.1:5432/preview';
process.env.REDIS_URL ??= 'redis://127.0.0.1:6379';
process.env.SECRET_KEY ??= 'a-secret-only-to-build-the-openapi-document';

/** The document as `openapi.json` holds it: 2-space JSON with a final newline. */
async function renderOpenApiDocument(): Promise<string> {
  const { loadConfig } = await import('../src/config/app-config.js');
  const { AppModule } = await import('../src/app.module.js');
  const { applyGlobalPrefix, buildOpenApiDocument, createFastifyAdapter } = await import('../src/app.setup.js');
  const config = loadConfig();
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createFastifyAdapter(config), {
    preview: true,
    logger: false,
  });
  try {
    applyGlobalPrefix(app);
    return `${JSON.stringify(buildOpenApiDocument(app, config), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

function nodeIsTooOld(): boolean {
  const [major, minor] = process.versions.node.split('.').map(Number);
  const [minMajor, minMinor] = GENERATOR_MIN_NODE;
  return major < minMajor || (major === minMajor && minor < minMinor);
}

/** Generates the SDK of `sdkDir` (its openapi-ts.config.ts) from `openapi.json` into `outputDir`, replacing what is there. */
async function generateSdk(sdkDir: string, outputDir: string, quiet: boolean): Promise<void> {
  const { createClient } = await import('@hey-api/openapi-ts');
  const generated = await createClient({
    configFile: join(sdkDir, 'openapi-ts.config.ts'),
    input: OPENAPI_FILE,
    output: { path: outputDir },
    logs: { level: quiet ? 'silent' : 'info' },
  });
  // An unreadable or invalid document is logged, not thrown, and yields no output at all.
  if (generated.length === 0) throw new Error(`the SDK could not be generated from ${OPENAPI_FILE}`);
}

/** Every file under `dir`, by its path relative to `dir`, with its contents. */
function readTree(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const path of readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort()) {
    if (statSync(join(dir, path)).isFile()) files.set(path, readFileSync(join(dir, path), 'utf8'));
  }
  return files;
}

/** The paths that are missing, extra or different in `committed` compared with `expected`. */
function treeDifferences(expected: Map<string, string>, committed: Map<string, string>): string[] {
  const paths = [...new Set([...expected.keys(), ...committed.keys()])].sort();
  return paths.flatMap((path) => {
    if (!committed.has(path)) return [`missing: ${path}`];
    if (!expected.has(path)) return [`not generated: ${path}`];
    return expected.get(path) === committed.get(path) ? [] : [`differs: ${path}`];
  });
}

async function checkSdk(sdkDir: string): Promise<boolean> {
  const scratch = mkdtempSync(join(tmpdir(), 'sdk-check-'));
  try {
    await generateSdk(sdkDir, scratch, true);
    let committed = new Map<string, string>();
    try {
      committed = readTree(join(sdkDir, 'src'));
    } catch {
      // no src/ at all: every generated file is reported missing below
    }
    const differences = treeDifferences(readTree(scratch), committed);
    if (differences.length === 0) return true;
    process.stderr.write(
      `${join(sdkDir, 'src')} differs from what openapi.json generates: run \`npm run openapi\` and commit the result.\n` +
        differences.map((line) => `  ${line}\n`).join(''),
    );
    return false;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      check: { type: 'boolean', default: false },
      'sdk-dir': { type: 'string', default: join(projectRoot, 'sdk') },
    },
  });
  const sdkDir = resolve(values['sdk-dir']);
  if (nodeIsTooOld()) {
    process.stderr.write(
      `npm run openapi needs Node.js >= ${GENERATOR_MIN_NODE.join('.')} for the SDK generator (@hey-api/openapi-ts); this is ${process.version}.\n`,
    );
    return 1;
  }
  const rendered = await renderOpenApiDocument();
  if (!values.check) {
    writeFileSync(OPENAPI_FILE, rendered);
    process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
    await generateSdk(sdkDir, join(sdkDir, 'src'), false);
    return 0;
  }
  let committed = '';
  try {
    committed = readFileSync(OPENAPI_FILE, 'utf8');
  } catch {
    // reported below like any other difference
  }
  const documentInStep = committed === rendered;
  if (!documentInStep)
    process.stderr.write(
      'openapi.json differs from the API the code serves: run `npm run openapi` and commit the result.\n',
    );
  const sdkInStep = await checkSdk(sdkDir);
  return documentInStep && sdkInStep ? 0 : 1;
}

process.exit(await main());
