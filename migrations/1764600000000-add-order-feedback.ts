import type { MigrationInterface, QueryRunner } from 'typeorm';

/** G1.6 order feedback: the customer rates the fulfilment once per order; the ratings feed improvement by product and warehouse. */
export class AddOrderFeedback1764600000000 implements MigrationInterface {
  name = 'AddOrderFeedback1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE order_feedback (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id uuid NOT NULL REFERENCES customer_order(id) ON DELETE CASCADE,
        rating smallint NOT NULL,
        comment varchar(1000),
        created_by varchar(254) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        -- once per order, also when two requests race (the loser is a 409 conflict)
        CONSTRAINT order_feedback_one_per_order UNIQUE (order_id),
        CONSTRAINT order_feedback_rating_range CHECK (rating BETWEEN 1 AND 5)
      )`);
    // the summary filters by when the feedback was given
    await db.query(`CREATE INDEX order_feedback_created_at_idx ON order_feedback (created_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE order_feedback`);
  }
}
