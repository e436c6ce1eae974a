import type { Logger } from '@nestjs/common';

/**
 * Logs a warning at most once per interval: an outage of Redis fails every operation, and one
 * line every few seconds says as much as thousands.
 */
export class ThrottledWarnings {
  private last = 0;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 10_000,
  ) {}

  warn(message: string): void {
    const now = Date.now();
    if (now - this.last < this.intervalMs) return;
    this.last = now;
    this.logger.warn(message);
  }
}
