import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/** Set when the process starts shutting down, so readiness turns 503 before the server closes. */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  shuttingDown = false;

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}
