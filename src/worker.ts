import { loadConfigOrExit, loadEnvFile } from './config/app-config.js';
import { startTracing } from './telemetry/tracing.js';

/** The worker's entry point: tracing first (when configured), before anything it traces is imported. */
async function bootstrap(): Promise<void> {
  loadEnvFile();
  const config = loadConfigOrExit();
  await startTracing('worker');
  const { runWorker } = await import('./worker-app.js');
  await runWorker(config);
}

bootstrap().catch(async (error: unknown) => {
  const { Logger } = await import('@nestjs/common');
  new Logger('Worker').error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
