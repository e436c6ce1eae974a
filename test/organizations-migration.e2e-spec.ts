import { CreateUsersAndSessions1795558114576 } from '../migrations/1795558114576-CreateUsersAndSessions.js';
import { CreateItems1795559823431 } from '../migrations/1795559823431-CreateItems.js';
import { CreateApiKeys1796176282276 } from '../migrations/1796176282276-CreateApiKeys.js';
import { NormalizedEmailsAndRefreshTokenHistory1796236755765 } from '../migrations/1796236755765-NormalizedEmailsAndRefreshTokenHistory.js';
import { CreateOrganizations1796292062099 } from '../migrations/1796292062099-CreateOrganizations.js';
import { MigrationDatabase } from './utils/migration-database.js';

/** The schema the organizations migration was written against. */
const BEFORE = [
  CreateUsersAndSessions1795558114576,
  CreateItems1795559823431,
  CreateApiKeys1796176282276,
  NormalizedEmailsAndRefreshTokenHistory1796236755765,
];

/** The organizations migration on a database that has users and items from the schema before it. */
describe('the organizations migration', () => {
  const database = new MigrationDatabase();

  beforeAll(() => database.create());

  afterAll(() => database.drop());

  it('applies on a populated database, keeps every item personal, and reverts', async () => {
    const old = await database.withMigrations(BEFORE).initialize();
    try {
      await old.runMigrations();
      const [user] = await old.query(
        `INSERT INTO users (email, email_normalized, hashed_password) VALUES ('old@example.com', 'old@example.com', 'x') RETURNING id`,
      );
      await old.query(`INSERT INTO items (title, owner_id) SELECT 'item ' || n, $1 FROM generate_series(1, 50) n`, [
        user.id,
      ]);
    } finally {
      await old.destroy();
    }

    const current = await database.withMigrations([...BEFORE, CreateOrganizations1796292062099]).initialize();
    try {
      const applied = await current.runMigrations();
      expect(applied.map((migration) => migration.name)).toEqual([
        expect.stringMatching(/^CreateOrganizations\d{13}$/),
      ]);
      const [items] = await current.query(
        'SELECT count(*) AS all, count(organization_id) AS in_organizations FROM items',
      );
      expect(items).toEqual({ all: '50', in_organizations: '0' });
      const [organization] = await current.query(`INSERT INTO organizations (name) VALUES ('Acme') RETURNING id`);
      await expect(
        current.query(`INSERT INTO memberships (organization_id, user_id, role) SELECT $1, id, 'boss' FROM users`, [
          organization.id,
        ]),
      ).rejects.toThrow(/memberships_role_check/);

      await current.undoLastMigration();
      const [left] = await current.query('SELECT count(*) AS all FROM items');
      expect(left.all).toBe('50');
      const tables = await current.query(
        `SELECT table_name FROM information_schema.tables WHERE table_name IN ('organizations', 'memberships', 'invitations')`,
      );
      expect(tables).toEqual([]);
    } finally {
      await current.destroy();
    }
  }, 60_000);
});
