import { Logger, type INestApplicationContext } from '@nestjs/common';

/**
 * On SIGTERM or SIGINT: close the app (readiness turns 503, in-flight requests and active jobs
 * finish, connections close), then exit 0; exit 1 if that takes longer than `timeoutMs`.
 * Used instead of Nest's enableShutdownHooks(), which re-raises the signal, so the process
 * would never exit 0.
 */
export function closeOnSignals(app: INestApplicationContext, timeoutMs: number): void {
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
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          logger.error(`close failed: ${error instanceof Error ? error.message : String(error)}`);
          process.exit(1);
        },
      );
    });
  }
}
