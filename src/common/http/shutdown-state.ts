import { type BeforeApplicationShutdown, Injectable } from '@nestjs/common';

/**
 * Set when the process starts shutting down: readiness turns 503 (so load balancers stop
 * sending), and every response asks its client to close the connection (so no request is
 * sent on a keep-alive connection the server is about to close).
 */
@Injectable()
export class ShutdownState implements BeforeApplicationShutdown {
  shuttingDown = false;

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }
}
