import { randomBytes } from 'node:crypto';
import { DataSource, type MigrationInterface } from 'typeorm';
import { dropDatabase, ensureDatabase } from '../../scripts/local-services.js';
import { buildDataSourceOptions } from '../../src/database/data-source-options.js';

/**
 * A database of its own on the suite's PostgreSQL server, for running chosen migrations on: the
 * schema before a migration, rows in it, then the migration itself.
 */
export class MigrationDatabase {
  private readonly serverUrl = process.env.TEST_DATABASE_SERVER_URL!;
  private readonly name = `migration_${randomBytes(4).toString('hex')}`;
  private url = '';

  async create(): Promise<void> {
    this.url = await ensureDatabase(this.serverUrl, this.name);
  }

  drop(): Promise<void> {
    return dropDatabase(this.serverUrl, this.name);
  }

  /** A data source over this database that knows only `migrations` (and no entities). */
  withMigrations(migrations: (new () => MigrationInterface)[]): DataSource {
    return new DataSource({
      ...buildDataSourceOptions({
        databaseUrl: this.url,
        dbPoolSize: 1,
        dbConnectTimeoutMs: 5000,
        dbStatementTimeoutMs: 30_000,
        projectName: 'migration-test',
      }),
      entities: [],
      migrations,
    });
  }
}
