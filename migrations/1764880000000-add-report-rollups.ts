import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Issue 13 (G4 reports): rollups per day × status, per day × product, per day × customer and per day, kept exact by
 * triggers in the transaction of every change that moves them — intake's one-statement insert, status changes, payment,
 * amendments of lines, refunds — whatever code path makes it. Days are in the shop's time zone (settings `timeZone`); a
 * change of the zone rebuilds the rollups in the settings' transaction.
 *
 * What counts as a sale: an order that is paid (`payment_status = 'paid'`) and not cancelled, on the day it was placed;
 * its revenue is the grand total minus the refunds of its after-sales cases. Product figures are quantity × unit price of
 * the sold lines (refunds are per case, not per line, so they are not taken off products). The status distribution counts
 * every order, paid or not, by the day it was placed and the status it has now.
 *
 * Hot rows: every order of a day moves the same rollup rows, and a row stays locked until the moving transaction commits.
 * The day rows are split into 16 shards by the connection (`pg_backend_pid() % 16`), so concurrent intakes on different
 * connections lock different rows; reports add the shards up. Writers hold a shared advisory lock until they commit and
 * a rebuild takes it exclusively, so no increment computed in the old zone lands after a rebuild in the new one. A change
 * moves its rows in key order (statuses, SKUs), so two changes on one shard wait for each other instead of deadlocking.
 */
const ROLLUP_LOCK = 1_764_880_000;
/** The rollup row a connection moves (see above). */
const SHARD = '(pg_backend_pid() % 16)::smallint';
const SALE = (o: string) => `(${o}.status <> 'cancelled' AND ${o}.payment_status = 'paid')`;

export class AddReportRollups1764880000000 implements MigrationInterface {
  name = 'AddReportRollups1764880000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`UPDATE role SET permissions = array_append(permissions, 'reports.read') WHERE name IN ('operator','finance','analyst') AND NOT ('reports.read' = ANY(permissions))`);
    await db.query(`CREATE TABLE report_rollup_zone (single boolean PRIMARY KEY DEFAULT true CHECK (single), time_zone text NOT NULL)`);
    await db.query(`
      CREATE TABLE report_daily_status (
        day date NOT NULL, status varchar(30) NOT NULL, shard smallint NOT NULL, orders integer NOT NULL,
        PRIMARY KEY (day, status, shard)
      )`);
    await db.query(`
      CREATE TABLE report_daily_sales (
        day date NOT NULL, shard smallint NOT NULL, orders integer NOT NULL, items integer NOT NULL, revenue numeric(16,2) NOT NULL,
        PRIMARY KEY (day, shard)
      )`);
    await db.query(`
      CREATE TABLE report_daily_product (
        day date NOT NULL, sku varchar(64) NOT NULL, shard smallint NOT NULL, quantity integer NOT NULL, revenue numeric(16,2) NOT NULL,
        name varchar(200) NOT NULL,
        PRIMARY KEY (day, sku, shard)
      )`);
    await db.query(`
      CREATE TABLE report_daily_customer (
        phone varchar(40) NOT NULL, day date NOT NULL, orders integer NOT NULL, revenue numeric(16,2) NOT NULL,
        first_order_at timestamptz NOT NULL, last_order_at timestamptz NOT NULL, name varchar(100) NOT NULL,
        PRIMARY KEY (phone, day)
      )`);
    await db.query(`CREATE INDEX report_daily_customer_day_idx ON report_daily_customer (day)`);

    await db.query(`
      CREATE FUNCTION report_add_status(p_day date, p_status text, p_shard smallint, p_orders integer) RETURNS void LANGUAGE sql AS $$
        INSERT INTO report_daily_status AS r (day, status, shard, orders) VALUES (p_day, p_status, p_shard, p_orders)
        ON CONFLICT (day, status, shard) DO UPDATE SET orders = r.orders + EXCLUDED.orders
      $$`);
    await db.query(`
      CREATE FUNCTION report_add_sales(p_day date, p_shard smallint, p_orders integer, p_items integer, p_revenue numeric) RETURNS void LANGUAGE sql AS $$
        INSERT INTO report_daily_sales AS r (day, shard, orders, items, revenue) VALUES (p_day, p_shard, p_orders, p_items, p_revenue)
        ON CONFLICT (day, shard) DO UPDATE SET orders = r.orders + EXCLUDED.orders, items = r.items + EXCLUDED.items, revenue = r.revenue + EXCLUDED.revenue
      $$`);
    await db.query(`
      CREATE FUNCTION report_add_product(p_day date, p_sku text, p_shard smallint, p_quantity integer, p_revenue numeric, p_name text) RETURNS void LANGUAGE sql AS $$
        INSERT INTO report_daily_product AS r (day, sku, shard, quantity, revenue, name) VALUES (p_day, p_sku, p_shard, p_quantity, p_revenue, p_name)
        ON CONFLICT (day, sku, shard) DO UPDATE SET quantity = r.quantity + EXCLUDED.quantity, revenue = r.revenue + EXCLUDED.revenue,
          name = CASE WHEN EXCLUDED.quantity > 0 THEN EXCLUDED.name ELSE r.name END
      $$`);
    // first/last order of a customer's day: kept with least/greatest while orders arrive; when the first or the last one
    // leaves (cancelled, refunded to nothing does not count), read again from the orders that remain, after the row lock
    await db.query(`
      CREATE FUNCTION report_add_customer(p_day date, p_phone text, p_name text, p_orders integer, p_revenue numeric, p_at timestamptz, p_zone text)
      RETURNS void LANGUAGE plpgsql AS $$
      DECLARE
        changed report_daily_customer%ROWTYPE;
      BEGIN
        INSERT INTO report_daily_customer AS c (phone, day, orders, revenue, first_order_at, last_order_at, name)
        VALUES (p_phone, p_day, p_orders, p_revenue, p_at, p_at, p_name)
        ON CONFLICT (phone, day) DO UPDATE SET orders = c.orders + EXCLUDED.orders, revenue = c.revenue + EXCLUDED.revenue,
          first_order_at = CASE WHEN EXCLUDED.orders > 0 THEN least(c.first_order_at, EXCLUDED.first_order_at) ELSE c.first_order_at END,
          last_order_at = CASE WHEN EXCLUDED.orders > 0 THEN greatest(c.last_order_at, EXCLUDED.last_order_at) ELSE c.last_order_at END,
          name = CASE WHEN EXCLUDED.orders > 0 AND EXCLUDED.last_order_at >= c.last_order_at THEN EXCLUDED.name ELSE c.name END
        RETURNING * INTO changed;
        IF changed.orders <= 0 THEN
          DELETE FROM report_daily_customer WHERE phone = p_phone AND day = p_day;
        ELSIF p_orders < 0 AND (p_at = changed.first_order_at OR p_at = changed.last_order_at) THEN
          UPDATE report_daily_customer c SET first_order_at = s.first_at, last_order_at = s.last_at, name = s.name
            FROM (SELECT min(o.placed_at) AS first_at, max(o.placed_at) AS last_at, (array_agg(o.customer_name ORDER BY o.placed_at DESC))[1] AS name
                    FROM customer_order o
                   WHERE o.customer_phone = p_phone AND ${SALE('o')}
                     AND o.placed_at >= (p_day::timestamp AT TIME ZONE p_zone) AND o.placed_at < ((p_day + 1)::timestamp AT TIME ZONE p_zone)) s
           WHERE c.phone = p_phone AND c.day = p_day AND s.first_at IS NOT NULL;
        END IF;
      END $$`);

    await db.query(`
      CREATE FUNCTION report_order_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        zone text;
        shard smallint := ${SHARD};
        old_day date; new_day date; old_status text; new_status text;
        old_sale boolean := false; new_sale boolean := false;
        old_net numeric; new_net numeric; refunded numeric := 0; items integer := 0;
        moves_lines boolean; moves_customer boolean;
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(${ROLLUP_LOCK});
        SELECT time_zone INTO zone FROM report_rollup_zone;
        IF TG_OP <> 'INSERT' THEN
          old_day := (OLD.placed_at AT TIME ZONE zone)::date; old_status := OLD.status; old_sale := ${SALE('OLD')};
          IF old_sale THEN SELECT coalesce(sum(refund_amount), 0) INTO refunded FROM after_sales_case WHERE order_id = OLD.id; END IF;
        END IF;
        IF TG_OP <> 'DELETE' THEN
          new_day := (NEW.placed_at AT TIME ZONE zone)::date; new_status := NEW.status; new_sale := ${SALE('NEW')};
          IF new_sale AND TG_OP = 'UPDATE' AND NOT old_sale THEN SELECT coalesce(sum(refund_amount), 0) INTO refunded FROM after_sales_case WHERE order_id = NEW.id; END IF;
        END IF;

        -- rows in key order, so two changes in opposite directions (awaiting_stock ⇄ awaiting_shipment) cannot deadlock
        IF old_day IS DISTINCT FROM new_day OR old_status IS DISTINCT FROM new_status THEN
          PERFORM report_add_status(c.day, c.status, shard, c.delta)
             FROM (VALUES (old_day, old_status, -1), (new_day, new_status, 1)) AS c(day, status, delta)
            WHERE c.day IS NOT NULL ORDER BY c.day, c.status;
        END IF;

        -- an inserted order's lines count through their own trigger (intake writes both in one statement)
        moves_lines := TG_OP <> 'INSERT' AND (old_sale IS DISTINCT FROM new_sale OR (old_sale AND new_sale AND old_day <> new_day));
        IF moves_lines THEN
          SELECT coalesce(sum(quantity), 0) INTO items FROM order_line WHERE order_id = coalesce(NEW.id, OLD.id);
        END IF;
        IF old_sale THEN old_net := OLD.grand_total - refunded; END IF;
        IF new_sale THEN new_net := NEW.grand_total - refunded; END IF;
        IF old_sale AND (moves_lines OR NOT new_sale OR old_day <> new_day OR old_net <> new_net) THEN
          PERFORM report_add_sales(old_day, shard, -1, CASE WHEN moves_lines THEN -items ELSE 0 END, -old_net);
          IF moves_lines THEN
            PERFORM report_add_product(old_day, l.sku, shard, -sum(l.quantity)::integer, -sum(l.quantity * l.unit_price), max(l.name))
               FROM order_line l WHERE l.order_id = OLD.id GROUP BY l.sku ORDER BY l.sku;
          END IF;
        END IF;
        IF new_sale AND (moves_lines OR NOT old_sale OR old_day <> new_day OR old_net <> new_net) THEN
          PERFORM report_add_sales(new_day, shard, 1, CASE WHEN moves_lines THEN items ELSE 0 END, new_net);
          IF moves_lines THEN
            PERFORM report_add_product(new_day, l.sku, shard, sum(l.quantity)::integer, sum(l.quantity * l.unit_price), max(l.name))
               FROM order_line l WHERE l.order_id = NEW.id GROUP BY l.sku ORDER BY l.sku;
          END IF;
        END IF;

        moves_customer := old_sale IS DISTINCT FROM new_sale OR (old_sale AND new_sale AND (old_day <> new_day OR old_net <> new_net
          OR OLD.customer_phone <> NEW.customer_phone OR OLD.customer_name <> NEW.customer_name OR OLD.placed_at <> NEW.placed_at));
        IF moves_customer AND old_sale THEN PERFORM report_add_customer(old_day, OLD.customer_phone, OLD.customer_name, -1, -old_net, OLD.placed_at, zone); END IF;
        IF moves_customer AND new_sale THEN PERFORM report_add_customer(new_day, NEW.customer_phone, NEW.customer_name, 1, new_net, NEW.placed_at, zone); END IF;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER report_order_inserted AFTER INSERT OR DELETE ON customer_order FOR EACH ROW EXECUTE FUNCTION report_order_changed()`);
    await db.query(`
      CREATE TRIGGER report_order_updated AFTER UPDATE OF status, payment_status, placed_at, grand_total, customer_phone, customer_name ON customer_order
        FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.payment_status IS DISTINCT FROM NEW.payment_status
          OR OLD.placed_at IS DISTINCT FROM NEW.placed_at OR OLD.grand_total IS DISTINCT FROM NEW.grand_total
          OR OLD.customer_phone IS DISTINCT FROM NEW.customer_phone OR OLD.customer_name IS DISTINCT FROM NEW.customer_name)
        EXECUTE FUNCTION report_order_changed()`);

    // the shop day of a sold order (null when it is not a sale), under the shared lock a zone change (rebuild) waits for
    await db.query(`
      CREATE FUNCTION report_sold_day(p_order uuid, OUT day date, OUT zone text) LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock_shared(${ROLLUP_LOCK});
        SELECT (o.placed_at AT TIME ZONE z.time_zone)::date, z.time_zone INTO day, zone
          FROM customer_order o, report_rollup_zone z WHERE o.id = p_order AND ${SALE('o')};
      END $$`);
    await db.query(`
      CREATE FUNCTION report_order_line_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        shard smallint := ${SHARD};
        sold record;
      BEGIN
        SELECT * INTO sold FROM report_sold_day(CASE WHEN TG_OP = 'DELETE' THEN OLD.order_id ELSE NEW.order_id END);
        IF sold.day IS NULL THEN RETURN NULL; END IF;
        IF TG_OP <> 'INSERT' THEN
          PERFORM report_add_product(sold.day, OLD.sku, shard, -OLD.quantity, -(OLD.quantity * OLD.unit_price), OLD.name);
          PERFORM report_add_sales(sold.day, shard, 0, -OLD.quantity, 0);
        END IF;
        IF TG_OP <> 'DELETE' THEN
          PERFORM report_add_product(sold.day, NEW.sku, shard, NEW.quantity, NEW.quantity * NEW.unit_price, NEW.name);
          PERFORM report_add_sales(sold.day, shard, 0, NEW.quantity, 0);
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER report_order_line_inserted AFTER INSERT OR DELETE ON order_line FOR EACH ROW EXECUTE FUNCTION report_order_line_changed()`);
    await db.query(`
      CREATE TRIGGER report_order_line_updated AFTER UPDATE OF sku, quantity, unit_price ON order_line
        FOR EACH ROW WHEN (OLD.sku IS DISTINCT FROM NEW.sku OR OLD.quantity IS DISTINCT FROM NEW.quantity OR OLD.unit_price IS DISTINCT FROM NEW.unit_price)
        EXECUTE FUNCTION report_order_line_changed()`);

    await db.query(`
      CREATE FUNCTION report_refund_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        refunded_order uuid;
        delta numeric := 0;
        sold record;
        o record;
      BEGIN
        IF TG_OP <> 'DELETE' THEN delta := coalesce(NEW.refund_amount, 0); refunded_order := NEW.order_id; END IF;
        IF TG_OP <> 'INSERT' THEN delta := delta - coalesce(OLD.refund_amount, 0); refunded_order := OLD.order_id; END IF;
        IF delta = 0 THEN RETURN NULL; END IF;
        SELECT * INTO sold FROM report_sold_day(refunded_order);
        IF sold.day IS NULL THEN RETURN NULL; END IF;
        SELECT c.placed_at, c.customer_phone, c.customer_name INTO o FROM customer_order c WHERE c.id = refunded_order;
        PERFORM report_add_sales(sold.day, ${SHARD}, 0, 0, -delta);
        PERFORM report_add_customer(sold.day, o.customer_phone, o.customer_name, 0, -delta, o.placed_at, sold.zone);
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER report_refund_changed AFTER INSERT OR UPDATE OF refund_amount OR DELETE ON after_sales_case FOR EACH ROW EXECUTE FUNCTION report_refund_changed()`);

    // a recount from the orders, in one zone: on install, on a change of the shop's time zone, and for bench/scale.mjs
    await db.query(`
      CREATE FUNCTION report_rollup_rebuild(p_zone text) RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_advisory_xact_lock(${ROLLUP_LOCK});
        INSERT INTO report_rollup_zone (single, time_zone) VALUES (true, p_zone) ON CONFLICT (single) DO UPDATE SET time_zone = EXCLUDED.time_zone;
        DELETE FROM report_daily_status;
        DELETE FROM report_daily_sales;
        DELETE FROM report_daily_product;
        DELETE FROM report_daily_customer;
        INSERT INTO report_daily_status (day, status, shard, orders)
          SELECT (placed_at AT TIME ZONE p_zone)::date, status, 0, count(*) FROM customer_order GROUP BY 1, 2;
        CREATE TEMP TABLE report_sold ON COMMIT DROP AS
          SELECT o.id, (o.placed_at AT TIME ZONE p_zone)::date AS day, o.placed_at, o.customer_phone, o.customer_name,
                 o.grand_total - coalesce(r.refunded, 0) AS net
            FROM customer_order o
            LEFT JOIN (SELECT c.order_id, sum(c.refund_amount) AS refunded FROM after_sales_case c WHERE c.refund_amount IS NOT NULL GROUP BY c.order_id) r
              ON r.order_id = o.id
           WHERE ${SALE('o')};
        INSERT INTO report_daily_sales (day, shard, orders, items, revenue)
          SELECT s.day, 0, count(*), coalesce(sum(i.items), 0), sum(s.net)
            FROM report_sold s LEFT JOIN (SELECT l.order_id, sum(l.quantity) AS items FROM order_line l GROUP BY l.order_id) i ON i.order_id = s.id
           GROUP BY s.day;
        INSERT INTO report_daily_product (day, sku, shard, quantity, revenue, name)
          SELECT s.day, l.sku, 0, sum(l.quantity), sum(l.quantity * l.unit_price), max(l.name)
            FROM report_sold s JOIN order_line l ON l.order_id = s.id GROUP BY s.day, l.sku;
        INSERT INTO report_daily_customer (phone, day, orders, revenue, first_order_at, last_order_at, name)
          SELECT s.customer_phone, s.day, count(*), sum(s.net), min(s.placed_at), max(s.placed_at), (array_agg(s.customer_name ORDER BY s.placed_at DESC))[1]
            FROM report_sold s GROUP BY s.customer_phone, s.day;
        DROP TABLE report_sold;
      END $$`);
    await db.query(`
      CREATE FUNCTION report_follow_time_zone() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF NEW.value ? 'timeZone' AND NEW.value->>'timeZone' IS DISTINCT FROM (SELECT time_zone FROM report_rollup_zone) THEN
          PERFORM report_rollup_rebuild(NEW.value->>'timeZone');
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER report_follow_time_zone AFTER INSERT OR UPDATE OF value ON app_setting
        FOR EACH ROW WHEN (NEW.key = 'settings') EXECUTE FUNCTION report_follow_time_zone()`);
    await db.query(`SELECT report_rollup_rebuild(coalesce((SELECT value->>'timeZone' FROM app_setting WHERE key = 'settings'), 'Asia/Shanghai'))`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER report_follow_time_zone ON app_setting`);
    await db.query(`DROP TRIGGER report_refund_changed ON after_sales_case`);
    await db.query(`DROP TRIGGER report_order_line_updated ON order_line`);
    await db.query(`DROP TRIGGER report_order_line_inserted ON order_line`);
    await db.query(`DROP TRIGGER report_order_updated ON customer_order`);
    await db.query(`DROP TRIGGER report_order_inserted ON customer_order`);
    for (const fn of ['report_follow_time_zone()', 'report_rollup_rebuild(text)', 'report_refund_changed()', 'report_order_line_changed()', 'report_sold_day(uuid)', 'report_order_changed()',
      'report_add_customer(date, text, text, integer, numeric, timestamptz, text)', 'report_add_product(date, text, smallint, integer, numeric, text)',
      'report_add_sales(date, smallint, integer, integer, numeric)', 'report_add_status(date, text, smallint, integer)']) {
      await db.query(`DROP FUNCTION ${fn}`);
    }
    await db.query(`DROP TABLE report_daily_customer, report_daily_product, report_daily_sales, report_daily_status, report_rollup_zone`);
    await db.query(`UPDATE role SET permissions = array_remove(permissions, 'reports.read')`);
  }
}
