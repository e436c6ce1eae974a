import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Identities at OpenID providers linked to users, accounts without a password (made by single
 * sign-on), and users' is_verified. Existing users count as verified: they were made before
 * addresses were checked, and turning EMAIL_VERIFICATION_REQUIRED on must not lock them out.
 */
export class SsoIdentitiesAndEmailVerification1796298147641 implements MigrationInterface {
  name = 'SsoIdentitiesAndEmailVerification1796298147641';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "user_identities" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "user_id" uuid NOT NULL, "provider" character varying(50) NOT NULL, "issuer" character varying(2048) NOT NULL, "subject" character varying(255) NOT NULL, "email" character varying(254) NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "last_sign_in_at" TIMESTAMP WITH TIME ZONE NOT NULL, CONSTRAINT "PK_e23bff04e9c3e7b785e442b262c" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(
      `CREATE INDEX "user_identities_user_created_idx" ON "user_identities"  ("user_id", "created_at", "id") `,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX "user_identities_issuer_subject_key" ON "user_identities"  ("issuer", "subject") `,
    );
    await queryRunner.query(`ALTER TABLE "users" ADD "is_verified" boolean NOT NULL DEFAULT false`);
    await queryRunner.query(`UPDATE "users" SET "is_verified" = true`);
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "hashed_password" DROP NOT NULL`);
    await queryRunner.query(
      `ALTER TABLE "user_identities" ADD CONSTRAINT "user_identities_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "user_identities" DROP CONSTRAINT "user_identities_user_id_fkey"`);
    // Accounts without a password keep existing, with a hash no password matches (recovery sets one).
    await queryRunner.query(`UPDATE "users" SET "hashed_password" = '!' WHERE "hashed_password" IS NULL`);
    await queryRunner.query(`ALTER TABLE "users" ALTER COLUMN "hashed_password" SET NOT NULL`);
    await queryRunner.query(`ALTER TABLE "users" DROP COLUMN "is_verified"`);
    await queryRunner.query(`DROP INDEX "public"."user_identities_issuer_subject_key"`);
    await queryRunner.query(`DROP INDEX "public"."user_identities_user_created_idx"`);
    await queryRunner.query(`DROP TABLE "user_identities"`);
  }
}
