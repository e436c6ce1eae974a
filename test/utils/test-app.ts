import type { Type } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module.js';
import { configureApp, createFastifyAdapter } from '../../src/app.setup.js';
import { AppConfig, loadConfig } from '../../src/config/app-config.js';

/**
 * Boots the real application (same module, same configureApp) against the suite's PostgreSQL
 * and Redis. Overrides change the configuration for one app, e.g. to point it at a Redis the
 * test stops; extra modules add routes that only a test needs.
 */
export async function createTestApp(
  overrides: Partial<AppConfig> = {},
  extraModules: Type[] = [],
): Promise<NestFastifyApplication> {
  const config: AppConfig = { ...loadConfig(process.env), ...overrides };
  const moduleRef = await Test.createTestingModule({ imports: [AppModule, ...extraModules] })
    .overrideProvider(AppConfig)
    .useValue(config)
    .compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(createFastifyAdapter(config), {
    logger: ['error', 'warn'],
  });
  configureApp(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
