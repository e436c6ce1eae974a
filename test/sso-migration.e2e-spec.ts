import { CreateUsersAndSessions1795558114576 } from '../migrations/1795558114576-CreateUsersAndSessions.js';
import { CreateItems1795559823431 } from '../migrations/1795559823431-CreateItems.js';
import { CreateApiKeys1796176282276 } from '../migrations/1796176282276-CreateApiKeys.js';
import { NormalizedEmailsAndRefreshTokenHistory1796236755765 } from '../migrations/1796236755765-NormalizedEmailsAndRefreshTokenHistory.js';
import { CreateOrganizations1796292062099 } from '../migrations/1796292062099-CreateOrganizations.js';
import { SsoIdentitiesAndEmailVerification1796298147641 } from '../migrations/1796298147641-SsoIdentitiesAndEmailVerification.js';
import { MigrationDatabase } from './utils/migration-database.js';

/** The schema the identities migration was written against. */
const BEFORE = [
  CreateUsersAndSessions1795558114576,
  CreateItems1795559823431,
  CreateApiKeys1796176282276,
  NormalizedEmailsAndRefreshTokenHistory1796236755765,
  CreateOrganizations1796292062099,
];

/** The identities and email verification migration on a database with users from the schema before it. */
describe('the identities and email verification migration', () => {
  const database = new MigrationDatabase();

  beforeAll(() => database.create());

  afterAll(() => database.drop());

  it('applies on a populated database, counts existing users as verified, and reverts keeping password-less accounts', async () => {
    const old = await database.withMigrations(BEFORE).initialize();
    try {
      await old.runMigrations();
      await old.query(
        `INSERT INTO users (email, email_normalized, hashed_password) SELECT 'u' || n || '@example.com', 'u' || n || '@example.com', 'x' FROM generate_series(1, 20) n`,
      );
    } finally {
      await old.destroy();
    }

    const current = await database
      .withMigrations([...BEFORE, SsoIdentitiesAndEmailVerification1796298147641])
      .initialize();
    try {
      const applied = await current.runMigrations();
      expect(applied.map((migration) => migration.name)).toEqual([
        expect.stringMatching(/^SsoIdentitiesAndEmailVerification\d{13}$/),
      ]);
      const [users] = await current.query(
        'SELECT count(*) AS all, count(*) FILTER (WHERE is_verified) AS verified FROM users',
      );
      expect(users).toEqual({ all: '20', verified: '20' });
      const [added] = await current.query(
        `INSERT INTO users (email, email_normalized, hashed_password) VALUES ('sso@example.com', 'sso@example.com', NULL) RETURNING id, is_verified`,
      );
      expect(added.is_verified).toBe(false);
      const insertIdentity = () =>
        current.query(
          `INSERT INTO user_identities (user_id, provider, issuer, subject, email, last_sign_in_at) VALUES ($1, 'acme', 'https://login.acme.example', 'sub-1', 'sso@example.com', now())`,
          [added.id],
        );
      await insertIdentity();
      await expect(insertIdentity()).rejects.toThrow(/user_identities_issuer_subject_key/);

      await current.undoLastMigration();
      const [left] = await current.query(
        `SELECT count(*) AS all, count(*) FILTER (WHERE hashed_password = '!') AS unusable FROM users`,
      );
      expect(left).toEqual({ all: '21', unusable: '1' });
      const tables = await current.query(`SELECT to_regclass('user_identities') AS identities`);
      expect(tables).toEqual([{ identities: null }]);
    } finally {
      await current.destroy();
    }
  });
});
