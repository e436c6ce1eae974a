import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * `npm run openapi` writes `openapi.json`, the API's OpenAPI document, from the code alone: the
 * app is built in Nest's preview mode, which creates no provider, so no database or Redis is
 * needed. `npm run openapi -- --check` exits 1 when the committed file and the code differ.
 */

const projectRoot = join(import.meta.dirname, '..', '..');
const OPENAPI_FILE = join(projectRoot, 'openapi.json');

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
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createFastifyAdapter(config), { preview: true, logger: false });
  try {
    applyGlobalPrefix(app);
    return `${JSON.stringify(buildOpenApiDocument(app, config), null, 2)}\n`;
  } finally {
    await app.close();
  }
}

async function main(): Promise<number> {
  const rendered = await renderOpenApiDocument();
  if (!process.argv.includes('--check')) {
    writeFileSync(OPENAPI_FILE, rendered);
    process.stdout.write(`wrote ${OPENAPI_FILE}\n`);
    return 0;
  }
  let committed = '';
  try {
    committed = readFileSync(OPENAPI_FILE, 'utf8');
  } catch {
    // reported below like any other difference
  }
  if (committed === rendered) return 0;
  process.stderr.write('openapi.json differs from the API the code serves: run `npm run openapi` and commit the result.\n');
  return 1;
}

process.exit(await main());
