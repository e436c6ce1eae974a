import { MigrationInterface, QueryRunner } from 'typeorm';
import { normalizeEmail } from '../src/common/validation/email-address.js';

/**
 * Emails become unique by their normalised form (NFKC, then lower case), computed by the same
 * function the app uses, instead of PostgreSQL's lower(), which folds some letters differently
 * (`İ` to `i`). Sessions remember the hashes of their earlier refresh secrets, so that only
 * a genuine earlier secret counts as reuse.
 */
export class NormalizedEmailsAndRefreshTokenHistory1796236755765 implements MigrationInterface {
  name = 'NormalizedEmailsAndRefreshTokenHistory1796236755765';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "users" ADD "email_normalized" character varying(254)`);
    const users = (await queryRunner.query(`SELECT "id", "email" FROM "users"`)) as { id: string; email: string }[];
    const owners = new Map<string, string>();
    for (const { id, email } of users) {
      const normalized = normalizeEmail(email);
      const other = owners.get(normalized);
      if (other)
        throw new Error(
          `users ${other} and ${id} have the same email once normalised (${normalized}); merge or rename one, then migrate again`,
        );
      owners.set(normalized, id);
      await queryRunner.query(`UPDATE "users" SET "email_normalized" = $1 WHERE "id" = $2`, [normalized, id]);
    }
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "email_normalized" SET NOT NULL`);
    await queryRunner.query(`CREATE UNIQUE INDEX "users_email_normalized_key" ON "users" ("email_normalized")`);
    await queryRunner.query(`DROP INDEX "public"."users_email_lower_key"`);
    await queryRunner.query(
      `ALTER TABLE "auth_sessions" ADD "used_refresh_token_hashes" text array NOT NULL DEFAULT '{}'`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "auth_sessions" DROP COLUMN "used_refresh_token_hashes"`);
    await queryRunner.query(`CREATE UNIQUE INDEX "users_email_lower_key" ON "users" (lower("email"))`);
    await queryRunner.query(`DROP INDEX "public"."users_email_normalized_key"`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "email_normalized"`);
  }
}
