import { Module } from '@nestjs/common';
import { RouteTable } from './http/route-table.js';
import { ShutdownState } from './http/shutdown-state.js';

/**
 * HTTP state the app's setup shares with the error filter and the health checks: the routes the
 * app serves (404 or 405) and whether it is shutting down (readiness 503).
 */
@Module({ providers: [RouteTable, ShutdownState], exports: [RouteTable, ShutdownState] })
export class CommonModule {}
