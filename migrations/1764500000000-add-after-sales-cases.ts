import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 6 (G1.6): after-sales cases of every type with their lines, history and evidence; stock set aside after a failed
 * QC (quarantine, never back on sale); replacement shipments that belong to a case rather than to the order's own flow.
 */
const AFTER_SALES_PERMISSIONS: Record<string, string[]> = {
  operator: ['aftersales.read', 'aftersales.write'],
  warehouse: ['aftersales.read', 'aftersales.warehouse'],
  finance: ['aftersales.read', 'aftersales.refund'],
};

export class AddAfterSalesCases1764500000000 implements MigrationInterface {
  name = 'AddAfterSalesCases1764500000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`CREATE SEQUENCE after_sales_number_seq`);
    await db.query(`
      CREATE TABLE after_sales_case (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number varchar(32) NOT NULL UNIQUE,
        order_id uuid NOT NULL REFERENCES customer_order(id) ON DELETE CASCADE,
        type varchar(20) NOT NULL CHECK (type IN ('return','exchange','refund_only','lost','damaged','wrong_item','missing_item')),
        status varchar(30) NOT NULL,
        reason varchar(500) NOT NULL,
        description varchar(4000),
        owner varchar(254),
        sla_due_at timestamptz,
        escalated_at timestamptz,
        received_warehouse_id uuid REFERENCES warehouse(id),
        qc_result varchar(10) CHECK (qc_result IN ('pass','fail')),
        qc_notes varchar(2000),
        refund_amount numeric(12,2) CHECK (refund_amount > 0),
        refund_reference varchar(100),
        refunded_at timestamptz,
        process_instance_id uuid,
        opened_by varchar(254) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        closed_at timestamptz
      )`);
    await db.query(`CREATE INDEX after_sales_case_order_idx ON after_sales_case (order_id)`);
    await db.query(`CREATE INDEX after_sales_case_status_idx ON after_sales_case (status, sla_due_at)`);
    await db.query(`
      CREATE TABLE after_sales_case_line (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES after_sales_case(id) ON DELETE CASCADE,
        sku varchar(64) NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        CONSTRAINT after_sales_case_line_sku_key UNIQUE (case_id, sku)
      )`);
    await db.query(`
      CREATE TABLE after_sales_case_history (
        id bigserial PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES after_sales_case(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        from_status varchar(30),
        to_status varchar(30) NOT NULL,
        by varchar(254) NOT NULL,
        note varchar(2000)
      )`);
    await db.query(`CREATE INDEX after_sales_case_history_case_idx ON after_sales_case_history (case_id, id)`);
    await db.query(`
      CREATE TABLE after_sales_attachment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        case_id uuid NOT NULL REFERENCES after_sales_case(id) ON DELETE CASCADE,
        file_name varchar(200) NOT NULL,
        content_type varchar(40) NOT NULL,
        size_bytes integer NOT NULL CHECK (size_bytes > 0),
        sha256 char(64) NOT NULL,
        content bytea NOT NULL,
        uploaded_by varchar(254) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX after_sales_attachment_case_idx ON after_sales_attachment (case_id)`);
    // units a failed QC set aside: counted here, never on hand (nothing can reserve or ship them)
    await db.query(`
      CREATE TABLE stock_quarantine (
        id bigserial PRIMARY KEY,
        warehouse_id uuid NOT NULL REFERENCES warehouse(id),
        sku varchar(64) NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        reference varchar(100) NOT NULL,
        reason varchar(2000),
        created_by varchar(254) NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX stock_quarantine_reference_idx ON stock_quarantine (reference)`);
    await db.query(`ALTER TABLE shipment ADD COLUMN after_sales_case_id uuid REFERENCES after_sales_case(id)`);
    await db.query(`CREATE INDEX shipment_after_sales_case_idx ON shipment (after_sales_case_id) WHERE after_sales_case_id IS NOT NULL`);
    // built-in roles of an existing install get the after-sales permissions their new-install twins have (G3.3)
    for (const [role, permissions] of Object.entries(AFTER_SALES_PERMISSIONS)) {
      await db.query(`UPDATE role SET permissions = permissions || $2::text[] WHERE name = $1 AND NOT permissions && $2::text[]`, [role, permissions]);
    }
    // returned goods come back into stock through the ledger as their own kind
    await db.query(`ALTER TABLE stock_movement DROP CONSTRAINT stock_movement_kind_check`);
    await db.query(
      `ALTER TABLE stock_movement ADD CONSTRAINT stock_movement_kind_check CHECK (kind IN ('receipt','adjustment','reservation','release','outbound','count','return'))`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DELETE FROM stock_movement WHERE kind = 'return'`);
    await db.query(`ALTER TABLE stock_movement DROP CONSTRAINT stock_movement_kind_check`);
    await db.query(`ALTER TABLE stock_movement ADD CONSTRAINT stock_movement_kind_check CHECK (kind IN ('receipt','adjustment','reservation','release','outbound','count'))`);
    await db.query(`DROP INDEX shipment_after_sales_case_idx`);
    await db.query(`ALTER TABLE shipment DROP COLUMN after_sales_case_id`);
    await db.query(`DROP TABLE stock_quarantine, after_sales_attachment, after_sales_case_history, after_sales_case_line, after_sales_case`);
    await db.query(`DROP SEQUENCE after_sales_number_seq`);
  }
}
