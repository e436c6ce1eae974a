import 'reflect-metadata';
import { join } from 'node:path';
import { repl } from '@nestjs/core';
import { loadConfigOrExit, loadEnvFile } from './config/app-config.js';
import { defaultToLocalServices } from './config/local-services.js';

/**
 * `npm run repl`: the application's providers (services, repositories, config) in a Node REPL,
 * for poking the live database, e.g. `await get(UsersService).findByEmail('a@b.c')` or
 * `await get('ItemRepository').count()`. `debug()` lists everything there is to get.
 * Outside production it talks to the servers of `npm start` unless the URLs are set.
 */
async function bootstrap(): Promise<void> {
  loadEnvFile();
  defaultToLocalServices();
  // A console session inspects the database; applying migrations is the deployment's job.
  process.env.DB_MIGRATE_ON_START ??= 'false';
  const { localDataDir } = loadConfigOrExit();

  const { AppModule } = await import('./app.module.js');
  // On .exit Nest closes the app, which ends the process.
  const server = await repl(AppModule);
  server.setupHistory(join(localDataDir, 'repl_history'), () => undefined);
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
