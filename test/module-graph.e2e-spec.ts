import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ModulesContainer } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ConfigModule } from '../src/config/config.module.js';
import { createTestApp } from './utils/test-app.js';

/** What `@Module()` records on a class (only the keys it is given). */
const MODULE_KEYS = ['imports', 'providers', 'controllers', 'exports'];

/** Every Nest module class the project's sources export. */
async function projectModules(): Promise<Set<unknown>> {
  const sourceRoot = join(import.meta.dirname, '..', 'src');
  const files = readdirSync(sourceRoot, { recursive: true, encoding: 'utf8' }).filter(
    (file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'),
  );
  const modules = new Set<unknown>();
  for (const file of files) {
    if (file === 'main.ts' || file === 'worker.ts' || file === 'repl.ts') continue;
    const exported = (await import(join(sourceRoot, file))) as Record<string, unknown>;
    for (const value of Object.values(exported))
      if (typeof value === 'function' && MODULE_KEYS.some((key) => Reflect.hasOwnMetadata(key, value)))
        modules.add(value);
  }
  return modules;
}

/** The shape of the module graph: what is global, and where the app-wide providers are. */
describe('module graph', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(() => app.close());

  it('makes configuration the only global module of the project (logging is global through nestjs-pino)', async () => {
    const ours = await projectModules();
    expect(ours.size).toBeGreaterThan(15);
    const loaded = [...app.get(ModulesContainer).values()];
    const globalOfOurs = loaded
      .filter((module) => module.isGlobal && ours.has(module.metatype))
      .map((module) => module.metatype);
    expect(globalOfOurs).toEqual([ConfigModule]);
    expect(loaded.some((module) => module.isGlobal && module.metatype.name === 'LoggerModule')).toBe(true);
  });

  it('declares every app-wide guard, pipe and filter in AppModule, in the order they run', () => {
    const declaring = [...app.get(ModulesContainer).values()]
      .map((module) => ({
        name: module.metatype.name,
        tokens: [...module.providers.keys()].map(String).filter((token) => /^APP_[A-Z]+ /.test(token)),
      }))
      .filter((module) => module.tokens.length > 0);
    expect(declaring.map((module) => module.name)).toEqual(['AppModule']);
    expect(declaring[0].tokens.map((token) => token.split(' ')[0])).toEqual([
      'APP_GUARD',
      'APP_GUARD',
      'APP_GUARD',
      'APP_PIPE',
      'APP_FILTER',
    ]);
  });
});
