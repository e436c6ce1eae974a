import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { loadEnvFile } from '../src/config/app-config.js';
import { LOCAL_DB_NAME, localServicePorts } from '../src/config/local-services.js';
import { ensureDatabase, type RunningService, startPostgres, startRedis } from './local-services.js';

/**
 * `npm start`: the API with embedded defaults. Without DATABASE_URL / REDIS_URL it starts a
 * PostgreSQL and a Redis whose data lives in the project's `.data/` folder (kept across
 * restarts), then runs the API against them; with the URLs set it starts nothing extra.
 * `npm run start:dev` does the same with the API in watch mode.
 */

const log = (line: string) => process.stdout.write(`[local] ${line}\n`);

async function main(): Promise<void> {
  loadEnvFile();
  const dataDir = process.env.LOCAL_DATA_DIR ?? join(process.cwd(), '.data');
  const services: RunningService[] = [];
  const stopServices = async () => {
    for (const service of services.reverse()) await service.stop().catch(() => undefined);
  };

  const ports = localServicePorts();
  try {
    if (!process.env.DATABASE_URL) {
      const port = ports.postgres;
      const postgres = await startPostgres({ dataDir: join(dataDir, 'postgres'), port, persistent: true, log });
      services.push(postgres);
      process.env.DATABASE_URL = await ensureDatabase(postgres.url, LOCAL_DB_NAME);
      log(`PostgreSQL on 127.0.0.1:${port} (data in ${join(dataDir, 'postgres')})`);
    }
    if (!process.env.REDIS_URL) {
      const port = ports.redis;
      const redis = await startRedis({ dataDir: join(dataDir, 'redis'), port, persistent: true, log });
      services.push(redis);
      process.env.REDIS_URL = redis.url;
      log(`Redis on 127.0.0.1:${port} (data in ${join(dataDir, 'redis')})`);
    }
  } catch (error) {
    log((error as Error).message);
    await stopServices();
    process.exit(1);
  }

  // --watch: rebuild and restart the API on every change (nest start --watch), services stay up.
  const command = process.argv.includes('--watch')
    ? [join(process.cwd(), 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'start', '--watch']
    : [join(import.meta.dirname, '..', 'src', 'main.js')];
  const api = spawn(process.execPath, command, { stdio: 'inherit', env: process.env });
  // The queue worker too, so a newcomer sees the whole system (emails, jobs) work.
  const worker = spawn(process.execPath, [join(import.meta.dirname, '..', 'src', 'worker.js')], { stdio: 'inherit', env: process.env });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      api.kill(signal);
      worker.kill(signal);
    });
  }
  const exitOf = (child: ChildProcess) => new Promise<number>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 0 : 1))));
  const exits = [exitOf(api), exitOf(worker)];
  const code = await Promise.race(exits);
  // When either stops, stop the other, then the services.
  api.kill('SIGTERM');
  worker.kill('SIGTERM');
  await Promise.all(exits);
  await stopServices();
  process.exit(code);
}

void main();
