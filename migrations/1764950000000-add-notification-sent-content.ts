import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 14 item 13 (G5.5): a customer message keeps the subject, text and HTML it was sent with, so the admin shows what
 * the customer received, not the data it was made from (templates change after a message leaves).
 */
export class AddNotificationSentContent1764950000000 implements MigrationInterface {
  name = 'AddNotificationSentContent1764950000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notification ADD COLUMN sent_subject text, ADD COLUMN sent_text text, ADD COLUMN sent_html text`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE notification DROP COLUMN sent_subject, DROP COLUMN sent_text, DROP COLUMN sent_html`);
  }
}
