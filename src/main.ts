import cluster from 'node:cluster';
import { loadConfigOrExit, loadEnvFile } from './config/app-config.js';
import { startTracing } from './telemetry/tracing.js';

/**
 * The API's entry point. Under WEB_CONCURRENCY > 1 this process is the cluster's primary, which
 * only forks API processes. An API process starts tracing (when configured) before anything it
 * traces is imported, then the app.
 */
async function bootstrap(): Promise<void> {
  loadEnvFile();
  const config = loadConfigOrExit();
  if (cluster.isPrimary && config.webConcurrency > 1) {
    const { runPrimary } = await import('./cluster.js');
    runPrimary(config);
    return;
  }
  await startTracing('api');
  const { runApi } = await import('./api.js');
  await runApi(config);
}

bootstrap().catch(async (error: unknown) => {
  const { Logger } = await import('@nestjs/common');
  new Logger('Bootstrap').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
