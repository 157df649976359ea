import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Held shared by every transaction that queues a stock push until it commits; the stock sender tries it exclusively. */
export const STOCK_SYNC_LOCK = 1_765_015_000;

/** A connector that pushes stock (issue 15 item 2): a shop platform with `stockSync: true` in its settings. */
const SYNCING = (i: string) => `(${i}.kind IN ('shopify', 'woocommerce', 'taobao') AND ${i}.settings -> 'stockSync' = 'true'::jsonb)`;
/** The warehouses whose stock the connector offers: active ones, all of them or those listed in `stockWarehouses`. */
const COUNTS = (i: string, w: string) => `(${w}.active AND (NOT (${i}.settings ? 'stockWarehouses') OR ${i}.settings -> 'stockWarehouses' ? ${w}.code))`;

/**
 * Issue 15 item 2, stock sync (库存同步): every change of a SKU's available quantity (on hand − reserved) queues a coalesced
 * push `stock:<sku>` to each shop connector that syncs stock, whatever code path makes it (reservation, release, receipt,
 * adjustment, count, return, the admin, a restore): stock_level is the one truth, so triggers on it do it.
 *
 * Cheap and deadlock-free: a row trigger notes the (connector, sku) pairs whose available moved in a transaction-local
 * setting; a deferred trigger queues them once at commit, in key order, ON CONFLICT DO NOTHING (a waiting push is not
 * rewritten: the sender reads the level when it sends). Queued at commit, the push rows never make a transaction that still
 * takes stock locks wait on another one (a stock row taken after a push row, in two warehouses, would deadlock).
 *
 * No lost level: a transaction that found a push waiting holds a shared advisory lock on the SKU until it commits; the
 * sender reads the level only under the exclusive lock, so it never reads before a change whose push it relies on.
 *
 * A SKU a platform does not have is recorded in integration_stock_unlisted by the sender, and queued no more for that
 * connector until a resync (which re-checks every SKU) or a settings change clears the list.
 */
export class AddStockSync1765015000000 implements MigrationInterface {
  name = 'AddStockSync1765015000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE integration_stock_unlisted (
        integration_id uuid NOT NULL REFERENCES integration (id) ON DELETE CASCADE,
        sku varchar(64) NOT NULL,
        reason varchar(500) NOT NULL,
        noted_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (integration_id, sku)
      )`);

    // the pairs noted so far in this transaction: "connector-id sku" lines in the setting oms.stock_sync (undone with a savepoint)
    await db.query(`
      CREATE FUNCTION stock_sync_note(pairs text) RETURNS void LANGUAGE sql AS $$
        SELECT set_config('oms.stock_sync', coalesce(current_setting('oms.stock_sync', true), '') || E'\\n' || pairs, true)
         WHERE pairs IS NOT NULL
      $$`);

    // a row trigger, only when the available quantity (or the row's sku or warehouse) changed: an outbound (on hand and
    // reserved both down) or a bin change costs nothing; measured cheaper than a statement trigger's transition tables
    await db.query(`
      CREATE FUNCTION stock_sync_level_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM stock_sync_note((
          SELECT string_agg(DISTINCT i.id::text || ' ' || c.sku, E'\\n')
            FROM (VALUES (NEW.warehouse_id, NEW.sku), (OLD.warehouse_id, OLD.sku)) AS c(warehouse_id, sku)
            JOIN warehouse w ON w.id = c.warehouse_id JOIN integration i ON ${SYNCING('i')} AND ${COUNTS('i', 'w')}
           WHERE c.sku IS NOT NULL));
        RETURN NULL;
      END $$`);

    // a warehouse switched on or off changes what every connector counting it offers of each of its SKUs
    await db.query(`
      CREATE FUNCTION stock_sync_warehouse_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM stock_sync_note((
          SELECT string_agg(DISTINCT i.id::text || ' ' || l.sku, E'\\n')
            FROM stock_level l JOIN integration i ON ${SYNCING('i')}
             AND (NOT (i.settings ? 'stockWarehouses') OR i.settings -> 'stockWarehouses' ? NEW.code)
           WHERE l.warehouse_id = NEW.id AND l.on_hand <> l.reserved));
        RETURN NULL;
      END $$`);

    // at commit: the noted pairs queued once each, in key order, under the shared lock of their SKU
    await db.query(`
      CREATE FUNCTION stock_sync_flush() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE noted text := current_setting('oms.stock_sync', true); connectors uuid[]; skus text[];
      BEGIN
        IF noted IS NULL OR noted = '' THEN RETURN NULL; END IF;
        PERFORM set_config('oms.stock_sync', '', true);
        SELECT array_agg(p.integration_id ORDER BY p.integration_id, p.sku), array_agg(p.sku ORDER BY p.integration_id, p.sku) INTO connectors, skus
          FROM (SELECT DISTINCT split_part(line, ' ', 1)::uuid AS integration_id, substr(line, strpos(line, ' ') + 1) AS sku
                  FROM unnest(string_to_array(noted, E'\\n')) AS line WHERE line <> '') p
         WHERE NOT EXISTS (SELECT 1 FROM integration_stock_unlisted u WHERE u.integration_id = p.integration_id AND u.sku = p.sku);
        IF skus IS NULL THEN RETURN NULL; END IF;
        PERFORM pg_advisory_xact_lock_shared(${STOCK_SYNC_LOCK}, hashtext(s.sku)) FROM (SELECT DISTINCT unnest(skus) AS sku ORDER BY 1) s;
        INSERT INTO integration_push (integration_id, topic, push_key, coalesce, reference, payload)
          SELECT q.integration_id, 'stock', 'stock:' || q.sku, true, q.sku, jsonb_build_object('sku', q.sku)
            FROM unnest(connectors, skus) WITH ORDINALITY AS q(integration_id, sku, n) ORDER BY q.n
          ON CONFLICT (integration_id, push_key) WHERE coalesce AND status = 'pending' DO NOTHING;
        RETURN NULL;
      END $$`);

    const moved = `OLD.on_hand - OLD.reserved IS DISTINCT FROM NEW.on_hand - NEW.reserved OR OLD.sku IS DISTINCT FROM NEW.sku OR OLD.warehouse_id IS DISTINCT FROM NEW.warehouse_id`;
    for (const [event, when] of [['INSERT', 'NEW.on_hand <> NEW.reserved'], ['UPDATE', moved], ['DELETE', 'OLD.on_hand <> OLD.reserved']]) {
      const name = event.toLowerCase();
      await db.query(`CREATE TRIGGER stock_sync_${name} AFTER ${event} ON stock_level FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION stock_sync_level_changed()`);
      await db.query(`CREATE CONSTRAINT TRIGGER stock_sync_flush_${name} AFTER ${event} ON stock_level DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (${when}) EXECUTE FUNCTION stock_sync_flush()`);
    }
    await db.query(`CREATE TRIGGER stock_sync_warehouse AFTER UPDATE OF active ON warehouse FOR EACH ROW WHEN (OLD.active IS DISTINCT FROM NEW.active) EXECUTE FUNCTION stock_sync_warehouse_changed()`);
    await db.query(`
      CREATE CONSTRAINT TRIGGER stock_sync_flush_warehouse AFTER UPDATE OF active ON warehouse DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
        WHEN (OLD.active IS DISTINCT FROM NEW.active) EXECUTE FUNCTION stock_sync_flush()`);

    // every SKU (the catalogue's and any with stock) queued to one connector: the resync, and a change of its stock settings
    await db.query(`
      CREATE FUNCTION stock_sync_queue_all(connector uuid) RETURNS integer LANGUAGE plpgsql AS $$
      DECLARE queued integer;
      BEGIN
        DELETE FROM integration_stock_unlisted WHERE integration_id = connector;
        INSERT INTO integration_push (integration_id, topic, push_key, coalesce, reference, payload)
          SELECT connector, 'stock', 'stock:' || s.sku, true, s.sku, jsonb_build_object('sku', s.sku)
            FROM (SELECT sku FROM product UNION SELECT sku FROM stock_level) s ORDER BY s.sku
          ON CONFLICT (integration_id, push_key) WHERE coalesce AND status = 'pending' DO NOTHING;
        GET DIAGNOSTICS queued = ROW_COUNT;
        RETURN queued;
      END $$`);
    await db.query(`
      CREATE FUNCTION stock_sync_settings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF ${SYNCING('NEW')} AND (TG_OP = 'INSERT' OR NOT ${SYNCING('OLD')}
            OR OLD.settings -> 'stockBuffer' IS DISTINCT FROM NEW.settings -> 'stockBuffer'
            OR OLD.settings -> 'stockWarehouses' IS DISTINCT FROM NEW.settings -> 'stockWarehouses'
            OR OLD.settings -> 'locationId' IS DISTINCT FROM NEW.settings -> 'locationId') THEN
          PERFORM stock_sync_queue_all(NEW.id);
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER stock_sync_settings AFTER INSERT OR UPDATE OF settings ON integration FOR EACH ROW EXECUTE FUNCTION stock_sync_settings_changed()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER stock_sync_settings ON integration`);
    await db.query(`DROP TRIGGER stock_sync_flush_warehouse ON warehouse`);
    await db.query(`DROP TRIGGER stock_sync_warehouse ON warehouse`);
    for (const trigger of ['stock_sync_insert', 'stock_sync_update', 'stock_sync_delete', 'stock_sync_flush_insert', 'stock_sync_flush_update', 'stock_sync_flush_delete']) {
      await db.query(`DROP TRIGGER ${trigger} ON stock_level`);
    }
    await db.query(`DROP FUNCTION stock_sync_settings_changed(), stock_sync_queue_all(uuid), stock_sync_flush(), stock_sync_warehouse_changed(), stock_sync_level_changed(), stock_sync_note(text)`);
    await db.query(`DROP TABLE integration_stock_unlisted`);
  }
}
