import { Server as NetServer, type Socket } from 'node:net';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

interface ConnectionState {
  requestsInProgress: number;
  idleSince: number;
}

const POLL_MS = 25;

/**
 * The HTTP server's connections, for closing it without cutting off a request. Node's own
 * `server.close()` destroys every connection that has no request in progress at that instant,
 * including one whose request is already on the wire (its client sees ECONNRESET); this waits
 * a moment for such requests instead.
 */
export class HttpConnections {
  private readonly connections = new Map<Socket, ConnectionState>();

  constructor(private readonly server: Server) {
    server.on('connection', (socket: Socket) => {
      this.connections.set(socket, { requestsInProgress: 0, idleSince: Date.now() });
      socket.once('close', () => this.connections.delete(socket));
    });
    server.on('request', (request, response) => {
      const state = this.connections.get(request.socket);
      if (!state) return;
      state.requestsInProgress++;
      response.once('close', () => {
        state.requestsInProgress--;
        state.idleSince = Date.now();
      });
    });
  }

  /**
   * Stops accepting connections, then waits while requests in progress finish (their responses
   * carry `Connection: close`, so their connections end with them) and closes each connection
   * that stays idle for `idleGraceMs`. Resolves when none is left.
   */
  async stopAndSettle(idleGraceMs: number): Promise<void> {
    // net.Server's close, not http.Server's: the latter would also destroy the idle connections now.
    if (this.server.listening) NetServer.prototype.close.call(this.server);
    while (this.connections.size > 0) {
      const now = Date.now();
      for (const [socket, state] of this.connections) {
        if (state.requestsInProgress === 0 && now - state.idleSince >= idleGraceMs) socket.destroy();
      }
      await sleep(POLL_MS);
    }
  }
}
