import { Logger, type INestApplicationContext } from '@nestjs/common';
import { stopTracing } from '../../telemetry/tracing.js';

/**
 * On SIGTERM or SIGINT: run `beforeClose` (the API drains there), close the app (in-flight
 * requests and active jobs finish, connections close), then exit 0; exit 1 if all that takes
 * longer than `timeoutMs`.
 * Used instead of Nest's enableShutdownHooks(), which re-raises the signal, so the process
 * would never exit 0.
 */
export function closeOnSignals(
  app: INestApplicationContext,
  timeoutMs: number,
  beforeClose?: () => Promise<void>,
): void {
  const logger = new Logger('Shutdown');
  let closing = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (closing) return;
      closing = true;
      logger.log(`${signal}: closing`);
      setTimeout(() => {
        logger.error(`still closing after ${timeoutMs} ms; exiting`);
        process.exit(1);
      }, timeoutMs).unref();
      Promise.resolve(beforeClose?.())
        .then(() => app.close())
        // The spans of the last requests and jobs, before the process ends.
        .then(() => stopTracing())
        .then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error(`close failed: ${error instanceof Error ? error.message : String(error)}`);
            process.exit(1);
          },
        );
    });
  }
}
