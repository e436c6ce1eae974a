import { join } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';

type DatabaseConfig = Pick<
  AppConfig,
  'databaseUrl' | 'dbPoolSize' | 'dbConnectTimeoutMs' | 'dbStatementTimeoutMs' | 'projectName'
>;

const projectRoot = join(import.meta.dirname, '..', '..');

/**
 * How much longer than the statement timeout a query may go unanswered before the client gives
 * up on it. statement_timeout is enforced by the server, so a server that hangs or a network
 * that drops packets would otherwise hold the request until TCP gives up.
 */
export const UNANSWERED_QUERY_MARGIN_MS = 1000;

/** Migrations live in `migrations/` at the project root (compiled to `dist/migrations/`). */
export const MIGRATIONS_GLOB = join(projectRoot, 'migrations', '*.{ts,js}');
export const ENTITIES_GLOB = join(projectRoot, 'src', '**', '*.entity.{ts,js}');

/**
 * The one description of the database connection, shared by the app and `ormconfig.ts`.
 * The pool is small and every wait is bounded, so an exhausted pool or a dead database is a
 * fast 503 instead of a hung request.
 */
export function buildDataSourceOptions(config: DatabaseConfig): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.databaseUrl,
    entities: [ENTITIES_GLOB],
    migrations: [MIGRATIONS_GLOB],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    // gen_random_uuid() is built into PostgreSQL 13+; no extension to install.
    uuidExtension: 'pgcrypto',
    migrationsRun: false,
    poolSize: config.dbPoolSize,
    connectTimeoutMS: config.dbConnectTimeoutMs,
    extra: {
      statement_timeout: config.dbStatementTimeoutMs,
      query_timeout: config.dbStatementTimeoutMs + UNANSWERED_QUERY_MARGIN_MS,
      idle_in_transaction_session_timeout: config.dbStatementTimeoutMs * 2,
      application_name: config.projectName.slice(0, 60),
      idleTimeoutMillis: 30_000,
    },
  };
}
