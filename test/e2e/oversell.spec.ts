import { DataSource } from 'typeorm';
import { orderBody, stockedCatalogue, unique } from '../helpers/fixtures';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';
import { TEST_DATABASE_URL } from '../helpers/test-database';

/**
 * G1.3 "lock the stock so that the shop never oversells" and DESIGN "Data rules" (oversell impossible by construction,
 * proved under concurrency), issue 5: a flash sale of single-unit paid orders racing for one SKU in one warehouse,
 * then a restock that must release exactly as many waiting orders as units arrived, oldest placed first.
 */
const ORDERS = 500;
const UNITS = 100;
/** Each restock must release exactly its units to the oldest waiting orders, whichever way the stock arrives. */
const RESTOCKS = [
  { units: 7, via: 'adjustment' },
  { units: 3, via: 'count' },
] as const;
/** Requests in flight at once: enough that the workers reserve while orders keep arriving, few enough that HTTP is not the bottleneck. */
const IN_FLIGHT = 50;
/** ~45 s on PostgreSQL and ~55 s on the embedded database (one connection: every transaction takes its turn) on a 2-core machine. */
const SETTLE_MS = TEST_DATABASE_URL ? 240_000 : 480_000;

interface Level {
  warehouse: string;
  sku: string;
  bin: string | null;
  onHand: number;
  reserved: number;
  available: number;
}

interface OrderSummary {
  id: string;
  number: string;
  status: string;
  placedAt: string;
  lines: Array<{ reserved: number }>;
  shipments: unknown[];
}

describe('no overselling under concurrent orders', () => {
  let app: TestApp;
  let db: DataSource;
  let auth: Record<string, string>;
  let token: string;

  beforeAll(async () => {
    app = await startTestApp();
    db = app.running.app.get(DataSource);
    token = await app.login();
    auth = { Authorization: `Bearer ${token}` };
  });
  afterAll(async () => {
    await app?.close();
  });

  const count = async (channel: string, status: string) =>
    (await app.http.get('/api/orders').query({ channel, status, pageSize: 1 }).set(auth).expect(200)).body.total as number;
  const levels = async (sku: string) => (await app.http.get('/api/inventory').query({ sku }).set(auth).expect(200)).body.items as Level[];
  /** Every order of a channel, oldest placed first (the API lists newest first, 200 a page). */
  const ordersOf = async (channel: string, status?: string) => {
    const orders: OrderSummary[] = [];
    for (let page = 1; ; page++) {
      const body = (await app.http.get('/api/orders').query({ channel, status, page, pageSize: 200 }).set(auth).expect(200)).body;
      orders.push(...body.items);
      if (orders.length >= body.total || body.items.length === 0) break;
    }
    return orders.sort((a, b) => Date.parse(a.placedAt) - Date.parse(b.placedAt) || a.number.localeCompare(b.number));
  };

  /**
   * Samples the stock while orders are processed, over HTTP and straight from the database. One SQL statement sees one
   * snapshot, so in every sample the level, the active reservations and the orders awaiting shipment must agree: an
   * order is reserved, holds its reservation row and is awaiting_shipment in one transaction (single-unit orders).
   */
  const watchStock = (sku: string, channel: string) => {
    const problems: string[] = [];
    let httpSamples = 0;
    let dbSamples = 0;
    let minAvailable = Infinity;
    let stopped = false;
    const pause = () => new Promise((resolve) => setTimeout(resolve, 20));
    const overHttp = (async () => {
      while (!stopped) {
        for (const level of await levels(sku)) {
          httpSamples++;
          minAvailable = Math.min(minAvailable, level.available);
          if (level.available < 0 || level.reserved > level.onHand || level.reserved < 0 || level.available !== level.onHand - level.reserved) {
            problems.push(`GET /api/inventory: ${JSON.stringify(level)}`);
          }
        }
        await pause();
      }
    })();
    const inDatabase = (async () => {
      while (!stopped) {
        const rows: Array<{ on_hand: number; reserved: number; held: number; ready: number }> = await db.query(
          `SELECT l.on_hand, l.reserved,
                  (SELECT coalesce(sum(r.quantity), 0)::int FROM stock_reservation r
                    WHERE r.warehouse_id = l.warehouse_id AND r.sku = l.sku AND r.status = 'active') AS held,
                  (SELECT count(*)::int FROM customer_order o WHERE o.channel = $2 AND o.status = 'awaiting_shipment') AS ready
             FROM stock_level l WHERE l.sku = $1`,
          [sku, channel],
        );
        for (const row of rows) {
          dbSamples++;
          minAvailable = Math.min(minAvailable, row.on_hand - row.reserved);
          if (row.on_hand - row.reserved < 0 || row.reserved !== row.held || row.held !== row.ready) problems.push(`database: ${JSON.stringify(row)}`);
        }
        await pause();
      }
    })();
    return {
      problems,
      async stop() {
        stopped = true;
        await Promise.all([overHttp, inDatabase]);
        return { problems, httpSamples, dbSamples, minAvailable };
      },
    };
  };

  /** How many samples broke the rules, with the first and the last of them. */
  const brokenSamples = (problems: string[]) =>
    problems.length ? [`${problems.length} samples broke the rules`, `first ${problems[0]}`, `last ${problems[problems.length - 1]}`] : [];

  /** No workflow step is due or running: every order sits at its wait (timers far in the future aside). */
  const workflowIdle = async () => {
    const [{ busy }] = await db.query(
      `SELECT (SELECT count(*) FROM workflow_job WHERE status = 'pending' AND kind <> 'timer')
            + (SELECT count(*) FROM process_instance WHERE status IN ('running', 'incident')) AS busy`,
    );
    return Number(busy) === 0;
  };

  /** Every order in awaiting_shipment or awaiting_stock, no units left for the waiting ones, the workflow idle; returns the two counts. */
  const settled = (channel: string, sku: string, total: number, what: string) =>
    eventually(
      async () => {
        // read in this order: units taken before the counts are read show in them (reservation and status commit together)
        const available = (await levels(sku)).reduce((sum, level) => sum + level.available, 0);
        const [ready, waiting] = [await count(channel, 'awaiting_shipment'), await count(channel, 'awaiting_stock')];
        const idle = await workflowIdle();
        // waiting orders while units are left: a restock is still being handed out
        if (ready + waiting !== total || !idle || (waiting > 0 && available > 0)) {
          throw new Error(`last seen ${ready} awaiting_shipment, ${waiting} awaiting_stock, ${available} available, workflow ${idle ? 'idle' : 'busy'}`);
        }
        return { ready, waiting };
      },
      { timeoutMs: SETTLE_MS, intervalMs: 250, what },
    );

  /** The stock ledger and the reservations tell the same story as the level. */
  const ledgerOf = async (sku: string) => {
    const [ledger] = await db.query(
      `SELECT coalesce(sum(on_hand_delta), 0)::int AS "onHand", coalesce(sum(reserved_delta), 0)::int AS reserved,
              count(*) FILTER (WHERE kind = 'reservation')::int AS reservations,
              count(*) FILTER (WHERE kind = 'release')::int AS releases,
              count(DISTINCT reserved_after) FILTER (WHERE kind = 'reservation')::int AS "distinctReservedAfter",
              coalesce(max(reserved_after - on_hand_after), 0)::int AS "worstOverReserved"
         FROM stock_movement WHERE sku = $1`,
      [sku],
    );
    const [last] = await db.query(
      `SELECT on_hand_after AS "onHand", reserved_after AS reserved FROM stock_movement WHERE sku = $1 ORDER BY id DESC LIMIT 1`,
      [sku],
    );
    const active: Array<{ reference: string; quantity: number }> = await db.query(
      `SELECT reference, quantity FROM stock_reservation WHERE sku = $1 AND status = 'active' ORDER BY reference`,
      [sku],
    );
    return { ledger, last, active };
  };

  /**
   * Posts `total` orders with at most IN_FLIGHT requests open at any moment. placedAt is scrambled against the posting order
   * (a step coprime with the count), so placement order is neither the order numbers nor the order the workers meet them.
   */
  const postOrders = async (sku: string, channel: string, total: number) => {
    const start = Date.parse('2026-11-11T00:00:00+08:00');
    const statuses: number[] = new Array(total);
    const ids: string[] = new Array(total);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(IN_FLIGHT, total) }, async () => {
        while (next < total) {
          const i = next++;
          const body = orderBody([{ sku, quantity: 1 }], { channel, placedAt: new Date(start + ((i * 7919) % total) * 1000).toISOString() });
          const response = await app.http.post('/api/orders').set(auth).send(body);
          statuses[i] = response.status;
          ids[i] = response.body.id;
        }
      }),
    );
    return { statuses, ids };
  };

  it(
    `${ORDERS} paid single-unit orders at once for ${UNITS} units: exactly ${UNITS} reserved, ${ORDERS - UNITS} wait for stock; ` +
      `restocks of ${RESTOCKS.map((r) => r.units).join(' and ')} release exactly that many of the oldest waiting orders`,
    async () => {
      const sku = unique('HOT');
      const channel = unique('flash').slice(0, 40);
      const { warehouse } = await stockedCatalogue(app, token, { [sku]: UNITS });
      const watcher = watchStock(sku, channel);

      const figures: string[] = [];
      let seen: Awaited<ReturnType<typeof watcher.stop>>;
      try {
        // ---- the flash sale ----
        const began = Date.now();
        const { statuses, ids } = await postOrders(sku, channel, ORDERS);
        const postedMs = Date.now() - began;
        expect(statuses).toEqual(Array(ORDERS).fill(201));
        expect(new Set(ids).size).toBe(ORDERS);

        const first = await settled(channel, sku, ORDERS, `${ORDERS} orders of ${channel} to reach awaiting_shipment or awaiting_stock`);
        const settleMs = Date.now() - began;
        figures.push(`posted in ${postedMs} ms, settled in ${settleMs} ms at ${first.ready} awaiting_shipment / ${first.waiting} awaiting_stock`);
        expect(brokenSamples(watcher.problems)).toEqual([]);
        expect(first).toEqual({ ready: UNITS, waiting: ORDERS - UNITS });
        expect(await levels(sku)).toEqual([{ warehouse, sku, bin: null, onHand: UNITS, reserved: UNITS, available: 0 }]);

        const orders = await ordersOf(channel);
        const ready = orders.filter((order) => order.status === 'awaiting_shipment');
        const waiting = orders.filter((order) => order.status === 'awaiting_stock');
        expect(ready).toHaveLength(UNITS);
        for (const order of ready) {
          expect(order.lines[0].reserved).toBe(1);
          expect(order.shipments).toHaveLength(1);
        }
        for (const order of waiting) {
          expect(order.lines[0].reserved).toBe(0);
          expect(order.shipments).toEqual([]);
        }
        const afterSale = await ledgerOf(sku);
        expect(afterSale.ledger).toEqual({ onHand: UNITS, reserved: UNITS, reservations: UNITS, releases: 0, distinctReservedAfter: UNITS, worstOverReserved: 0 });
        expect(afterSale.last).toEqual({ onHand: UNITS, reserved: UNITS });
        expect(afterSale.active.map((r) => r.reference)).toEqual(ready.map((order) => `order:${order.id}`).sort());
        expect(afterSale.active.every((r) => r.quantity === 1)).toBe(true);

        // ---- restocks: POST /api/inventory/adjustments, then a stock count (PUT) ----
        let onHand = UNITS;
        let queue = waiting; // oldest placed first
        for (const { units, via } of RESTOCKS) {
          const restockBegan = Date.now();
          onHand += units;
          if (via === 'adjustment') {
            await app.http.post('/api/inventory/adjustments').set(auth).send({ warehouse, sku, delta: units, reason: 'restock' }).expect(200);
          } else {
            await app.http.put(`/api/inventory/${warehouse}/${sku}`).set(auth).send({ onHand }).expect(200);
          }
          // the backorder queue is worked through after the response: settled when the new units are taken and the workflow is idle
          const after = await settled(channel, sku, ORDERS, `the restock of ${units} (${via}) to settle`);
          figures.push(`restock of ${units} (${via}) settled in ${Date.now() - restockBegan} ms at ${after.ready} / ${after.waiting}`);
          // and it stays there: nothing more is allocated once the new units are gone
          await new Promise((resolve) => setTimeout(resolve, 1000));
          expect(await settled(channel, sku, ORDERS, `the restock of ${units} (${via}) to stay settled`)).toEqual(after);
          expect(after).toEqual({ ready: onHand, waiting: ORDERS - onHand });
          expect(await levels(sku)).toEqual([{ warehouse, sku, bin: null, onHand, reserved: onHand, available: 0 }]);

          // exactly the oldest waiting orders (placement order) got the new units; the others still wait, holding nothing
          const now = await ordersOf(channel);
          const status = new Map(now.map((order) => [order.id, order.status]));
          const released = queue.filter((order) => status.get(order.id) === 'awaiting_shipment').map((order) => order.number);
          expect(released).toEqual(queue.slice(0, units).map((order) => order.number));
          queue = queue.slice(units);
          expect(queue.every((order) => status.get(order.id) === 'awaiting_stock')).toBe(true);
          expect(ready.every((order) => status.get(order.id) === 'awaiting_shipment')).toBe(true);

          const stock = await ledgerOf(sku);
          expect(stock.ledger).toEqual({ onHand, reserved: onHand, reservations: onHand, releases: 0, distinctReservedAfter: onHand, worstOverReserved: 0 });
          expect(stock.last).toEqual({ onHand, reserved: onHand });
          expect(stock.active.map((r) => r.reference)).toEqual(now.filter((order) => order.status === 'awaiting_shipment').map((order) => `order:${order.id}`).sort());
        }
      } finally {
        seen = await watcher.stop();
        console.log(
          `oversell on ${app.database.kind}: ${ORDERS} orders for ${UNITS} units, ${figures.join('; ')}; ` +
            `${seen.httpSamples} HTTP and ${seen.dbSamples} database samples, min available ${seen.minAvailable}`,
        );
      }
      expect(seen.httpSamples).toBeGreaterThan(0);
      expect(seen.dbSamples).toBeGreaterThan(0);
      expect(brokenSamples(seen.problems)).toEqual([]);
      expect(seen.minAvailable).toBe(0);
    },
    2 * SETTLE_MS + 60_000,
  );

  it('orders racing across two warehouses never reserve more than either holds', async () => {
    const sku = unique('SPLIT');
    const channel = unique('race2').slice(0, 40);
    const first = await stockedCatalogue(app, token, { [sku]: 3 });
    const second = unique('WH2').slice(0, 30);
    await app.http.post('/api/warehouses').set(auth).send({ code: second, name: 'Second', province: '广东省', city: '广州市', priority: 20 }).expect(201);
    await app.http.put(`/api/inventory/${second}/${sku}`).set(auth).send({ onHand: 4 }).expect(200);

    const responses = await Promise.all(
      Array.from({ length: 12 }, () => app.http.post('/api/orders').set(auth).send(orderBody([{ sku, quantity: 1 }], { channel }))),
    );
    expect(responses.every((r) => r.status === 201)).toBe(true);
    await eventually(
      async () => ((await count(channel, 'awaiting_shipment')) === 7 && (await count(channel, 'awaiting_stock')) === 5 ? true : undefined),
      { timeoutMs: 40_000, intervalMs: 100, what: `orders of ${channel} to settle at 7 awaiting_shipment, 5 awaiting_stock` },
    );
    const byWarehouse = Object.fromEntries((await levels(sku)).map((level) => [level.warehouse, level]));
    expect(byWarehouse[first.warehouse]).toMatchObject({ onHand: 3, reserved: 3, available: 0 });
    expect(byWarehouse[second]).toMatchObject({ onHand: 4, reserved: 4, available: 0 });
  });
});
