import type { DataSource, Migration } from 'typeorm';

/** Any fixed number: every process of this app takes the same advisory lock to migrate. */
const MIGRATION_LOCK_ID = 727_134_001;

/**
 * Runs pending migrations under a PostgreSQL advisory lock, so several replicas starting at once
 * migrate one after another: the first applies them, the others find nothing left to do.
 */
export async function runMigrationsLocked(dataSource: DataSource): Promise<Migration[]> {
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    return await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await lockRunner.release();
  }
}
