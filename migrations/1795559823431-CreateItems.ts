import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateItems1795559823431 implements MigrationInterface {
  name = 'CreateItems1795559823431';

  public async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE "items" ("id" uuid NOT NULL DEFAULT gen_random_uuid(), "title" character varying(255) NOT NULL, "description" character varying(255), "owner_id" uuid NOT NULL, "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(), CONSTRAINT "PK_ba5885359424c15ca6b9e79bcf6" PRIMARY KEY ("id"))`,
    );
    await queryRunner.query(`CREATE INDEX "items_created_idx" ON "items"  ("created_at", "id") `);
    await queryRunner.query(`CREATE INDEX "items_owner_created_idx" ON "items"  ("owner_id", "created_at", "id") `);
    await queryRunner.query(
      `ALTER TABLE "items" ADD CONSTRAINT "items_owner_id_fkey" FOREIGN KEY ("owner_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE NO ACTION`,
    );
  }

  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`ALTER TABLE "items" DROP CONSTRAINT "items_owner_id_fkey"`);
    await queryRunner.query(`DROP INDEX "public"."items_owner_created_idx"`);
    await queryRunner.query(`DROP INDEX "public"."items_created_idx"`);
    await queryRunner.query(`DROP TABLE "items"`);
  }
}
