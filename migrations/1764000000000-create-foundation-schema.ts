import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issue 3: users and roles, catalogue, stock with its ledger, orders, shipments, workflow runtime, outbox. */
export class CreateFoundationSchema1764000000000 implements MigrationInterface {
  name = 'CreateFoundationSchema1764000000000';

  async up(db: QueryRunner): Promise<void> {

    // --- auth (G3.3) ---
    await db.query(`
      CREATE TABLE role (
        name varchar(40) PRIMARY KEY,
        description varchar(200) NOT NULL DEFAULT '',
        permissions text[] NOT NULL DEFAULT '{}'
      )`);
    await db.query(`
      CREATE TABLE app_user (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        email varchar(254) NOT NULL,
        display_name varchar(100) NOT NULL DEFAULT '',
        password_hash varchar(200) NOT NULL,
        roles text[] NOT NULL DEFAULT '{}',
        active boolean NOT NULL DEFAULT true,
        last_login_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE UNIQUE INDEX app_user_email_key ON app_user (lower(email))`);
    await db.query(`
      CREATE TABLE access_token (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES app_user(id) ON DELETE CASCADE,
        token_hash char(64) NOT NULL UNIQUE,
        expires_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX access_token_expires_idx ON access_token (expires_at)`);
    await db.query(`
      CREATE TABLE api_key (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        token_hash char(64) NOT NULL UNIQUE,
        roles text[] NOT NULL DEFAULT '{integration}',
        created_by varchar(254),
        revoked_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE login_failure (
        id bigserial PRIMARY KEY,
        subject varchar(300) NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX login_failure_subject_idx ON login_failure (subject, at)`);
    await db.query(`
      CREATE TABLE app_secret (
        name varchar(60) PRIMARY KEY,
        value text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE app_setting (
        key varchar(100) PRIMARY KEY,
        value jsonb NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    // express-session store for the admin (connect-pg-simple's table layout)
    await db.query(`
      CREATE TABLE admin_session (
        sid varchar NOT NULL PRIMARY KEY,
        sess json NOT NULL,
        expire timestamp(6) NOT NULL
      )`);
    await db.query(`CREATE INDEX admin_session_expire_idx ON admin_session (expire)`);

    // --- catalogue ---
    await db.query(`
      CREATE TABLE product (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        sku varchar(64) NOT NULL UNIQUE,
        name varchar(200) NOT NULL,
        spec varchar(200),
        price numeric(12,2) NOT NULL CHECK (price >= 0),
        purchase_limit integer CHECK (purchase_limit IS NULL OR purchase_limit > 0),
        weight_grams integer CHECK (weight_grams IS NULL OR weight_grams >= 0),
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    // --- inventory (DESIGN "Data rules": oversell impossible by construction) ---
    await db.query(`
      CREATE TABLE warehouse (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        code varchar(32) NOT NULL UNIQUE,
        name varchar(100) NOT NULL,
        province varchar(50) NOT NULL,
        city varchar(50) NOT NULL,
        priority integer NOT NULL DEFAULT 100,
        cost_per_shipment numeric(12,2),
        is_virtual boolean NOT NULL DEFAULT false,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE stock_level (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        warehouse_id uuid NOT NULL REFERENCES warehouse(id),
        sku varchar(64) NOT NULL REFERENCES product(sku) ON UPDATE CASCADE,
        bin varchar(40),
        on_hand integer NOT NULL DEFAULT 0,
        reserved integer NOT NULL DEFAULT 0,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT stock_level_reserved_within_on_hand CHECK (reserved >= 0 AND reserved <= on_hand),
        CONSTRAINT stock_level_warehouse_sku_key UNIQUE (warehouse_id, sku)
      )`);
    await db.query(`CREATE INDEX stock_level_sku_idx ON stock_level (sku)`);
    await db.query(`
      CREATE TABLE stock_movement (
        id bigserial PRIMARY KEY,
        warehouse_id uuid NOT NULL REFERENCES warehouse(id),
        sku varchar(64) NOT NULL,
        kind varchar(20) NOT NULL CHECK (kind IN ('receipt','adjustment','reservation','release','outbound','count')),
        on_hand_delta integer NOT NULL DEFAULT 0,
        reserved_delta integer NOT NULL DEFAULT 0,
        on_hand_after integer NOT NULL,
        reserved_after integer NOT NULL,
        reference varchar(100),
        reason varchar(300),
        created_by varchar(254),
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX stock_movement_level_idx ON stock_movement (warehouse_id, sku, created_at)`);
    await db.query(`CREATE INDEX stock_movement_reference_idx ON stock_movement (reference)`);
    await db.query(`
      CREATE TABLE stock_reservation (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        warehouse_id uuid NOT NULL REFERENCES warehouse(id),
        sku varchar(64) NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        reference varchar(100) NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'active' CHECK (status IN ('active','released','consumed')),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX stock_reservation_reference_idx ON stock_reservation (reference)`);

    // --- orders (G1.1, G1.2) ---
    await db.query(`CREATE SEQUENCE order_number_seq`);
    await db.query(`
      CREATE TABLE customer_order (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        number varchar(32) NOT NULL UNIQUE,
        channel varchar(40) NOT NULL,
        external_id varchar(100) NOT NULL,
        status varchar(30) NOT NULL,
        flags jsonb NOT NULL DEFAULT '[]',
        customer_name varchar(100) NOT NULL,
        customer_phone varchar(40) NOT NULL,
        customer_email varchar(254),
        customer_locale varchar(10),
        shipping_address jsonb NOT NULL,
        payment_method varchar(40) NOT NULL,
        payment_status varchar(20) NOT NULL,
        payment_amount numeric(12,2),
        payment_reference varchar(100),
        paid_at timestamptz,
        items_total numeric(12,2) NOT NULL,
        shipping_fee numeric(12,2) NOT NULL DEFAULT 0,
        grand_total numeric(12,2) NOT NULL,
        notes varchar(1000),
        placed_at timestamptz NOT NULL,
        process_instance_id uuid,
        approved_by varchar(254),
        approved_at timestamptz,
        version integer NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT customer_order_channel_external_key UNIQUE (channel, external_id)
      )`);
    await db.query(`CREATE INDEX customer_order_status_idx ON customer_order (status, placed_at)`);
    await db.query(`CREATE INDEX customer_order_phone_idx ON customer_order (customer_phone)`);
    await db.query(`CREATE INDEX customer_order_placed_idx ON customer_order (placed_at)`);
    await db.query(`
      CREATE TABLE order_line (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id uuid NOT NULL REFERENCES customer_order(id) ON DELETE CASCADE,
        line_no integer NOT NULL,
        sku varchar(64) NOT NULL,
        name varchar(200) NOT NULL DEFAULT '',
        quantity integer NOT NULL CHECK (quantity > 0),
        unit_price numeric(12,2) NOT NULL CHECK (unit_price >= 0),
        reserved integer NOT NULL DEFAULT 0 CHECK (reserved >= 0),
        shipped integer NOT NULL DEFAULT 0 CHECK (shipped >= 0),
        CONSTRAINT order_line_no_key UNIQUE (order_id, line_no)
      )`);
    await db.query(`CREATE INDEX order_line_sku_idx ON order_line (sku)`);
    await db.query(`
      CREATE TABLE order_status_history (
        id bigserial PRIMARY KEY,
        order_id uuid NOT NULL REFERENCES customer_order(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT clock_timestamp(),
        from_status varchar(30),
        to_status varchar(30) NOT NULL,
        by varchar(254) NOT NULL,
        note varchar(1000)
      )`);
    await db.query(`CREATE INDEX order_status_history_order_idx ON order_status_history (order_id, id)`);

    // --- fulfilment ---
    await db.query(`
      CREATE TABLE shipment (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        order_id uuid NOT NULL REFERENCES customer_order(id) ON DELETE CASCADE,
        warehouse_id uuid NOT NULL REFERENCES warehouse(id),
        status varchar(20) NOT NULL DEFAULT 'allocated',
        carrier varchar(20),
        tracking_number varchar(60),
        shipped_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX shipment_order_idx ON shipment (order_id)`);
    await db.query(`
      CREATE TABLE shipment_line (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        shipment_id uuid NOT NULL REFERENCES shipment(id) ON DELETE CASCADE,
        sku varchar(64) NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0)
      )`);

    // --- workflow runtime (DESIGN "The workflow runtime") ---
    await db.query(`
      CREATE TABLE workflow_definition (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        key varchar(100) NOT NULL,
        version integer NOT NULL,
        name varchar(200) NOT NULL DEFAULT '',
        xml text NOT NULL,
        checksum char(64) NOT NULL,
        deployed_by varchar(254) NOT NULL,
        deployed_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT workflow_definition_key_version_key UNIQUE (key, version)
      )`);
    await db.query(`
      CREATE TABLE process_instance (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        definition_id uuid NOT NULL REFERENCES workflow_definition(id),
        business_key varchar(100),
        status varchar(20) NOT NULL DEFAULT 'running'
          CHECK (status IN ('running','waiting','completed','incident','terminated')),
        state jsonb,
        variables jsonb NOT NULL DEFAULT '{}',
        waiting jsonb NOT NULL DEFAULT '[]',
        version integer NOT NULL DEFAULT 1,
        lease_owner varchar(100),
        lease_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        ended_at timestamptz
      )`);
    await db.query(`CREATE INDEX process_instance_business_key_idx ON process_instance (business_key)`);
    await db.query(`CREATE INDEX process_instance_status_idx ON process_instance (status)`);
    await db.query(`
      CREATE TABLE process_activity (
        id bigserial PRIMARY KEY,
        instance_id uuid NOT NULL REFERENCES process_instance(id) ON DELETE CASCADE,
        element_id varchar(100) NOT NULL,
        element_type varchar(60) NOT NULL,
        name varchar(200),
        execution_id varchar(120) NOT NULL,
        entered_at timestamptz NOT NULL,
        left_at timestamptz,
        CONSTRAINT process_activity_execution_key UNIQUE (instance_id, execution_id)
      )`);
    await db.query(`
      CREATE TABLE workflow_job (
        id bigserial PRIMARY KEY,
        instance_id uuid NOT NULL REFERENCES process_instance(id) ON DELETE CASCADE,
        kind varchar(20) NOT NULL CHECK (kind IN ('start','resume','message')),
        payload jsonb NOT NULL DEFAULT '{}',
        status varchar(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','done','failed','cancelled')),
        run_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        max_attempts integer NOT NULL DEFAULT 5,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz
      )`);
    await db.query(`CREATE INDEX workflow_job_due_idx ON workflow_job (run_at, id) WHERE status = 'pending'`);
    await db.query(`CREATE INDEX workflow_job_instance_idx ON workflow_job (instance_id)`);
    await db.query(`
      CREATE TABLE workflow_message (
        id bigserial PRIMARY KEY,
        name varchar(100) NOT NULL,
        business_key varchar(100) NOT NULL,
        payload jsonb NOT NULL DEFAULT '{}',
        instance_id uuid REFERENCES process_instance(id) ON DELETE CASCADE,
        status varchar(20) NOT NULL DEFAULT 'buffered' CHECK (status IN ('buffered','delivered','discarded')),
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      )`);
    await db.query(`CREATE INDEX workflow_message_pending_idx ON workflow_message (business_key, name) WHERE status = 'buffered'`);
    await db.query(`
      CREATE TABLE incident (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        instance_id uuid NOT NULL REFERENCES process_instance(id) ON DELETE CASCADE,
        job_id bigint REFERENCES workflow_job(id) ON DELETE SET NULL,
        element_id varchar(100),
        message text NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'open' CHECK (status IN ('open','resolved')),
        created_at timestamptz NOT NULL DEFAULT now(),
        resolved_at timestamptz
      )`);
    await db.query(`CREATE INDEX incident_instance_idx ON incident (instance_id)`);

    // --- notifications outbox (DESIGN "Data rules": side effects leave through an outbox) ---
    await db.query(`
      CREATE TABLE notification (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        idempotency_key varchar(200) NOT NULL UNIQUE,
        channel varchar(10) NOT NULL CHECK (channel IN ('email','sms')),
        event varchar(60) NOT NULL,
        locale varchar(10) NOT NULL,
        recipient varchar(254) NOT NULL,
        reference varchar(100),
        data jsonb NOT NULL,
        status varchar(20) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','sending','sent','dead')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_error text,
        provider_message_id varchar(300),
        sent_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX notification_due_idx ON notification (next_attempt_at) WHERE status IN ('pending','sending')`);
    await db.query(`CREATE INDEX notification_reference_idx ON notification (reference)`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of [
      'notification', 'incident', 'workflow_message', 'workflow_job', 'process_activity', 'process_instance',
      'workflow_definition', 'shipment_line', 'shipment', 'order_status_history', 'order_line', 'customer_order',
      'stock_reservation', 'stock_movement', 'stock_level', 'warehouse', 'product', 'admin_session', 'app_secret',
      'app_setting', 'login_failure', 'api_key', 'access_token', 'app_user', 'role',
    ]) {
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    }
    await db.query(`DROP SEQUENCE IF EXISTS order_number_seq`);
  }
}
