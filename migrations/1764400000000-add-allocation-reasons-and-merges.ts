import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 5 items 4-5 (G1.3): why each shipment's warehouse was chosen, and order merge: a shipment merged into another
 * travels with it (picked, packed and shipped as one parcel) while staying its own order's record.
 */
export class AddAllocationReasonsAndMerges1764400000000 implements MigrationInterface {
  name = 'AddAllocationReasonsAndMerges1764400000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE shipment ADD COLUMN allocation_reason varchar(2000)`);
    await db.query(`ALTER TABLE shipment ADD COLUMN merged_into uuid REFERENCES shipment(id)`);
    await db.query(`ALTER TABLE shipment ADD CONSTRAINT shipment_not_merged_into_itself CHECK (merged_into <> id)`);
    await db.query(`CREATE INDEX shipment_merged_into_idx ON shipment (merged_into) WHERE merged_into IS NOT NULL`);
    // the backorder: orders with units not yet reserved, found by sku when stock arrives
    await db.query(`CREATE INDEX order_line_outstanding_idx ON order_line (sku, order_id) WHERE reserved < quantity`);
    // reserved counts every unit given a warehouse so far, shipped ones included
    await db.query(`ALTER TABLE order_line ADD CONSTRAINT order_line_reserved_within_quantity CHECK (shipped <= reserved AND reserved <= quantity)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE order_line DROP CONSTRAINT order_line_reserved_within_quantity`);
    await db.query(`DROP INDEX order_line_outstanding_idx`);
    await db.query(`DROP INDEX shipment_merged_into_idx`);
    await db.query(`ALTER TABLE shipment DROP CONSTRAINT shipment_not_merged_into_itself`);
    await db.query(`ALTER TABLE shipment DROP COLUMN merged_into, DROP COLUMN allocation_reason`);
  }
}
