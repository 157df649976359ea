import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Acting } from '../../audit/acting';
import { AuditService } from '../../audit/audit.service';
import { InvalidStateError } from '../../common/errors';
import { afterCommit } from '../../database/after-commit';
import { DatabaseListener } from '../../database/database-listener';
import { queryRows } from '../../database/sql';
import { type OpenedIntegration, IntegrationsService } from '../integrations.service';
import { IntegrationPushesService } from '../outbound/integration-pushes.service';
import { type ClaimedPush, PermanentPushError, sendSignedRequest } from '../outbound/push-sender';
import {
  buildShopifyInventorySet, buildShopifyVariantBySku, readShopifyInventorySet, readShopifyVariantBySku, shopifyStockAccess,
} from '../providers/shopify-stock';
import type { SignedRequest } from '../providers/provider-types';
import { topSettingsOf } from '../providers/taobao';
import {
  buildTopItemsByOuterId, buildTopQuantityUpdate, buildTopSkusByOuterId, readTopItemsByOuterId, readTopQuantityUpdate, readTopSkusByOuterId,
  topErrorOf, type TopStockTarget,
} from '../providers/taobao-stock';
import {
  buildWooCommerceProductBySku, buildWooCommerceStockSet, readWooCommerceProductBySku, wooCommerceStoreOf, type WooCommerceStockItem,
} from '../providers/woocommerce-stock';
import { callTop } from '../taobao-gateway';
import { STOCK_SYNC_KINDS, STOCK_SYNC_LOCK, STOCK_SYNC_TOPIC, stockSyncOf } from './stock-sync-settings';

/**
 * How one platform is told a SKU's stock: find its item by our SKU (null: the platform has none), then set its quantity.
 * Either throws to be retried, or a PermanentPushError when the platform refused what we sent.
 */
interface PlatformStock<Target> {
  name: string;
  find(connector: OpenedIntegration, sku: string): Promise<Target | null>;
  set(connector: OpenedIntegration, target: Target, quantity: number, sku: string): Promise<void>;
}

export interface UnlistedSku {
  sku: string;
  reason: string;
  notedAt: string;
}

/** How long the sender waits, at most, for transactions changing a SKU's stock to commit before it reads the level. */
const LEVEL_WAIT_MS = 10_000;
const LEVEL_POLL_MS = 20;

/**
 * Stock sync (库存同步, issue 15 item 2; G5.2): each shop connector with `stockSync` is told every SKU's available quantity
 * less its safety buffer. The pushes are queued by database triggers on stock_level, whatever changed it (migration
 * 1765015000000), coalesced per SKU; this service sends them (computing the quantity at send time, so a push that waited
 * says the newest level) and queues a full resync on demand.
 */
@Injectable()
export class StockSyncService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly integrations: IntegrationsService,
    private readonly pushes: IntegrationPushesService,
    private readonly audit: AuditService,
    private readonly database: DatabaseListener,
  ) {}

  onModuleInit(): void {
    this.register(shopifyStock);
    this.register(wooCommerceStock);
    this.register(taobaoStock);
  }

  private register<Target>(platform: PlatformStock<Target>): void {
    this.pushes.register(platform.name, STOCK_SYNC_TOPIC, (connector, push) => this.send(platform, connector, push));
  }

  /**
   * `POST /api/integrations/{id}/stock-sync`: every SKU (the catalogue's and any with stock) queued to the connector, the
   * SKUs it found missing on the platform checked again. Returns how many SKUs it will be told.
   */
  async resync(id: string, by: Acting): Promise<{ queued: number }> {
    const connector = await this.integrations.get(id);
    if (!STOCK_SYNC_KINDS.includes(connector.kind)) throw new InvalidStateError(`A ${connector.kind} connector takes no stock: stock is pushed to ${STOCK_SYNC_KINDS.join(', ')}`);
    if (!stockSyncOf(connector.settings).enabled) throw new InvalidStateError(`Stock sync is off for connector ${connector.name}: set settings.stockSync to true first`);
    return this.db.transaction(async (manager) => {
      await manager.query(`SELECT stock_sync_queue_all($1)`, [id]);
      const [{ skus }] = await manager.query(`SELECT count(*)::int AS skus FROM (SELECT sku FROM product UNION SELECT sku FROM stock_level) s`);
      await this.audit.record({ ...by, action: 'integration.stock_resync', target: `integration:${id}`, details: { skus } }, manager);
      afterCommit(manager, () => {
        if (!this.pushes.kick()) this.database.notify('oms_integration_pushes');
      });
      return { queued: skus };
    });
  }

  /** The SKUs the platform was found not to have (`GET /api/integrations/{id}/stock-sync/unlisted`), newest first. */
  async unlisted(id: string, offset: number, limit: number): Promise<{ items: UnlistedSku[]; total: number }> {
    await this.integrations.get(id);
    const [{ total }] = await this.db.query(`SELECT count(*)::int AS total FROM integration_stock_unlisted WHERE integration_id = $1`, [id]);
    const rows = await queryRows<UnlistedSku>(
      this.db,
      `SELECT sku, reason, noted_at AS "notedAt" FROM integration_stock_unlisted WHERE integration_id = $1 ORDER BY noted_at DESC, sku LIMIT $2 OFFSET $3`,
      [id, limit, offset],
    );
    return { items: rows.map((row) => ({ ...row, notedAt: new Date(row.notedAt).toISOString() })), total };
  }

  private async send<Target>(platform: PlatformStock<Target>, connector: OpenedIntegration, push: ClaimedPush): Promise<void> {
    const sku = typeof push.payload.sku === 'string' ? push.payload.sku : push.key.replace(/^stock:/, '');
    const target = await platform.find(connector, sku);
    if (target === null) {
      // not retried, and not queued again for this connector until a resync; quiet (no alert, the connector not failing):
      // a shop need not list every SKU we stock, and one alert per unlisted SKU would bury the alerts that matter
      const reason = `SKU ${sku} is not on ${platform.name} (no item has it as its SKU): its stock is not pushed until a resync finds it listed`;
      await this.db.query(
        `INSERT INTO integration_stock_unlisted (integration_id, sku, reason) VALUES ($1, $2, $3)
         ON CONFLICT (integration_id, sku) DO UPDATE SET reason = EXCLUDED.reason, noted_at = now()`,
        [connector.id, sku, reason],
      );
      throw new PermanentPushError(reason, { quiet: true });
    }
    await platform.set(connector, target, await this.quantityToPush(connector, sku), sku);
    await this.db.query(`DELETE FROM integration_stock_unlisted WHERE integration_id = $1 AND sku = $2`, [connector.id, sku]);
  }

  /**
   * The SKU's available units in the warehouses the connector counts, less its buffer, never below 0; read once no change
   * of the SKU is committing (the queueing trigger holds the SKU's lock shared until its commit), so no change that found
   * this push waiting is missed.
   */
  async quantityToPush(connector: OpenedIntegration, sku: string): Promise<number> {
    const { buffer, warehouses } = stockSyncOf(connector.settings);
    const deadline = Date.now() + LEVEL_WAIT_MS;
    for (;;) {
      const available = await this.db.transaction(async (manager) => {
        const [{ locked }] = await manager.query(`SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked`, [STOCK_SYNC_LOCK, sku]);
        if (!locked) return null;
        const [row] = await manager.query(
          `SELECT coalesce(sum(l.on_hand - l.reserved), 0)::int AS available FROM stock_level l JOIN warehouse w ON w.id = l.warehouse_id
            WHERE l.sku = $1 AND w.active AND ($2::text[] IS NULL OR w.code = ANY($2))`,
          [sku, warehouses],
        );
        return row.available as number;
      });
      if (available !== null) return Math.max(0, available - buffer);
      if (Date.now() > deadline) throw new Error(`the stock of ${sku} kept changing for ${LEVEL_WAIT_MS / 1000} s: read again later`);
      await sleep(LEVEL_POLL_MS);
    }
  }
}

/** Shopify: the variant by SKU, then its inventory item's available quantity at the connector's location. */
const shopifyStock: PlatformStock<string> = {
  name: 'shopify',
  async find(connector, sku) {
    const answer = readShopifyVariantBySku((await sendSignedRequest(buildShopifyVariantBySku(shopifyStockAccess(connector.settings, connector.secrets), sku))).body, sku);
    if (answer && 'retry' in answer) throw answer.retry ? new Error(answer.message) : new PermanentPushError(answer.message);
    return answer?.inventoryItemId ?? null;
  },
  async set(connector, inventoryItemId, quantity, sku) {
    const access = shopifyStockAccess(connector.settings, connector.secrets);
    const problem = readShopifyInventorySet((await sendSignedRequest(buildShopifyInventorySet(access, inventoryItemId, quantity, sku))).body);
    if (problem) throw problem.retry ? new Error(problem.message) : new PermanentPushError(problem.message);
  },
};

/** WooCommerce: the product or variation by SKU, then its stock_quantity (managed). */
const wooCommerceStock: PlatformStock<WooCommerceStockItem> = {
  name: 'woocommerce',
  async find(connector, sku) {
    const item = readWooCommerceProductBySku((await sendSignedRequest(buildWooCommerceProductBySku(wooCommerceStoreOf(connector.settings, connector.secrets), sku))).body, sku);
    if (item === undefined) throw new Error('WooCommerce answered the product search with something that is not a list');
    return item;
  },
  async set(connector, item, quantity) {
    await sendSignedRequest(buildWooCommerceStockSet(wooCommerceStoreOf(connector.settings, connector.secrets), item, quantity));
  },
};

/** A TOP call (callTop, the polling's gateway client): its answer's body, or TOP's error thrown (retried when it is TOP's own trouble); `notFound` → null. */
async function topCall(request: SignedRequest): Promise<string | null> {
  const answer = await callTop(request);
  if (!answer.ok) throw new Error(answer.reason);
  const error = topErrorOf(answer.body);
  if (!error) return answer.body;
  if (error.notFound) return null;
  throw error.retry ? new Error(error.message) : new PermanentPushError(error.message);
}

/** Taobao: the SKU by outer id (else the item, for one without SKUs), then its quantity set in full. */
const taobaoStock: PlatformStock<TopStockTarget> = {
  name: 'taobao',
  async find(connector, sku) {
    const settings = topSettingsOf(connector.settings, connector.secrets);
    for (const [build, read] of [[buildTopSkusByOuterId, readTopSkusByOuterId], [buildTopItemsByOuterId, readTopItemsByOuterId]] as const) {
      const body = await topCall(build(sku, settings));
      if (body === null) continue;
      const found = read(body, sku);
      if (!found.ok) throw new Error(found.reason);
      if (found.value) return found.value;
    }
    return null;
  },
  async set(connector, target, quantity) {
    const body = await topCall(buildTopQuantityUpdate(target, quantity, topSettingsOf(connector.settings, connector.secrets)));
    if (body === null) throw new PermanentPushError(`Taobao no longer has item ${target.numIid}${target.skuId ? ` SKU ${target.skuId}` : ''}`);
    const updated = readTopQuantityUpdate(body);
    if (!updated.ok) throw new Error(updated.reason);
  },
};
