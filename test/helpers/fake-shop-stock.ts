import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a platform was told: the SKU (by its item) and the quantity it now shows. */
export interface StockSet {
  sku: string;
  quantity: number;
}

/**
 * A shop platform's stock endpoints for the stock sync tests (issue 15 item 2): it knows some SKUs, checks each request's
 * authentication as the platform documents it, with credentials generated here, records each quantity it was set to, and
 * fails as many requests as told first (503). Subclasses speak Shopify's GraphQL, WooCommerce's REST, Taobao's TOP.
 */
abstract class FakeShop {
  readonly sets: StockSet[] = [];
  /** Requests refused for their authentication. */
  refused = 0;
  failNext = 0;
  protected readonly skus = new Set<string>();
  private server?: Server;
  url = '';

  list(...skus: string[]): void {
    for (const sku of skus) this.skus.add(sku);
  }

  /** The last quantity set for a SKU. */
  level(sku: string): number | undefined {
    return this.sets.filter((set) => set.sku === sku).at(-1)?.quantity;
  }

  setsOf(sku: string): number[] {
    return this.sets.filter((set) => set.sku === sku).map((set) => set.quantity);
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        if (this.failNext > 0) {
          this.failNext--;
          response.writeHead(503).end('busy, try later');
          return;
        }
        try {
          this.handle(request, Buffer.concat(chunks).toString('utf8'), response);
        } catch (error) {
          response.writeHead(500).end(String(error));
        }
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  protected json(response: ServerResponse, status: number, body: unknown): void {
    response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
  }

  protected abstract handle(request: IncomingMessage, body: string, response: ServerResponse): void;
}

/** Shopify's GraphQL Admin API: X-Shopify-Access-Token, productVariants by `sku:"…"`, inventorySetQuantities at one location. */
export class FakeShopify extends FakeShop {
  readonly accessToken = `shpat_${randomBytes(16).toString('hex')}`;
  readonly locationId = String(60_000_000 + Math.floor(Math.random() * 1_000_000));
  readonly itemIds = new Map<string, string>();

  protected handle(request: IncomingMessage, body: string, response: ServerResponse): void {
    if (request.method !== 'POST' || !/^\/admin\/api\/\d{4}-\d{2}\/graphql\.json$/.test(request.url ?? '')) return this.json(response, 404, { errors: 'Not Found' });
    if (request.headers['x-shopify-access-token'] !== this.accessToken) {
      this.refused++;
      return this.json(response, 401, { errors: '[API] Invalid API key or access token (unrecognized login or wrong password)' });
    }
    const { query, variables } = JSON.parse(body);
    if (query.includes('productVariants')) {
      const sku = JSON.parse(/^sku:(".*")$/.exec(variables.query)![1]);
      const nodes = this.skus.has(sku) ? [{ id: `gid://shopify/ProductVariant/${this.itemOf(sku)}`, sku, inventoryItem: { id: `gid://shopify/InventoryItem/${this.itemOf(sku)}` } }] : [];
      // the search matches tokens: a longer SKU sharing the prefix is in the answer too
      const similar = [...this.skus].filter((other) => other !== sku && other.startsWith(sku));
      return this.json(response, 200, { data: { productVariants: { nodes: [...nodes, ...similar.map((other) => ({ id: 'x', sku: other, inventoryItem: { id: `gid://shopify/InventoryItem/${this.itemOf(other)}` } }))] } } });
    }
    if (query.includes('inventorySetQuantities')) {
      const { input } = variables;
      const [quantity] = input.quantities;
      const sku = [...this.itemIds].find(([, id]) => `gid://shopify/InventoryItem/${id}` === quantity.inventoryItemId)?.[0];
      const errors = [];
      if (quantity.locationId !== `gid://shopify/Location/${this.locationId}`) errors.push({ code: 'INVALID_LOCATION', field: ['input', 'quantities', '0', 'locationId'], message: 'The specified location could not be found.' });
      if (!sku) errors.push({ code: 'INVALID_INVENTORY_ITEM', field: ['input', 'quantities', '0', 'inventoryItemId'], message: 'The specified inventory item could not be found.' });
      if (input.name !== 'available' || input.ignoreCompareQuantity !== true || !Number.isInteger(quantity.quantity) || quantity.quantity < 0) errors.push({ code: 'INVALID', field: ['input'], message: 'bad input' });
      if (!errors.length) this.sets.push({ sku: sku!, quantity: quantity.quantity });
      return this.json(response, 200, { data: { inventorySetQuantities: { inventoryAdjustmentGroup: errors.length ? null : { createdAt: new Date().toISOString() }, userErrors: errors } } });
    }
    return this.json(response, 200, { errors: [{ message: 'unknown query' }] });
  }

  private itemOf(sku: string): string {
    if (!this.itemIds.has(sku)) this.itemIds.set(sku, String(40_000_000_000 + this.itemIds.size));
    return this.itemIds.get(sku)!;
  }
}

/** WooCommerce's REST API v3: HTTP Basic with the consumer key and secret; products (and variations) by `sku`. */
export class FakeWooCommerce extends FakeShop {
  readonly consumerKey = `ck_${randomBytes(20).toString('hex')}`;
  readonly consumerSecret = `cs_${randomBytes(20).toString('hex')}`;
  /** SKUs that are variations of a variable product (parent 500). */
  readonly variations = new Set<string>();

  protected handle(request: IncomingMessage, body: string, response: ServerResponse): void {
    const expected = `Basic ${Buffer.from(`${this.consumerKey}:${this.consumerSecret}`).toString('base64')}`;
    if (request.headers.authorization !== expected) {
      this.refused++;
      return this.json(response, 401, { code: 'woocommerce_rest_cannot_view', message: 'Sorry, you cannot list resources.', data: { status: 401 } });
    }
    const url = new URL(request.url ?? '/', 'http://fake');
    const skus = [...this.skus];
    const idOf = (sku: string) => 1000 + skus.indexOf(sku);
    if (request.method === 'GET' && url.pathname === '/wp-json/wc/v3/products') {
      const sku = url.searchParams.get('sku') ?? '';
      const found = this.skus.has(sku) ? [{ id: idOf(sku), sku, type: this.variations.has(sku) ? 'variation' : 'simple', parent_id: this.variations.has(sku) ? 500 : 0 }] : [];
      return this.json(response, 200, found);
    }
    const simple = /^\/wp-json\/wc\/v3\/products\/(\d+)$/.exec(url.pathname);
    const variation = /^\/wp-json\/wc\/v3\/products\/500\/variations\/(\d+)$/.exec(url.pathname);
    if (request.method === 'PUT' && (simple || variation)) {
      const sku = skus.find((candidate) => idOf(candidate) === Number((simple ?? variation)![1]));
      if (!sku || this.variations.has(sku) !== Boolean(variation)) return this.json(response, 404, { code: 'woocommerce_rest_product_invalid_id', message: 'Invalid ID.' });
      const { manage_stock: manageStock, stock_quantity: quantity } = JSON.parse(body);
      if (manageStock !== true || !Number.isInteger(quantity)) return this.json(response, 400, { code: 'rest_invalid_param' });
      this.sets.push({ sku, quantity });
      return this.json(response, 200, { id: idOf(sku), sku, manage_stock: true, stock_quantity: quantity });
    }
    return this.json(response, 404, { code: 'rest_no_route' });
  }
}

/** Taobao's TOP gateway: the form's `sign` checked (HMAC-SHA256 or MD5 over the sorted parameters), the session checked. */
export class FakeTaobao extends FakeShop {
  readonly appKey = String(10_000_000 + Math.floor(Math.random() * 1_000_000));
  readonly appSecret = randomBytes(16).toString('hex');
  readonly sessionKey = `6100${randomBytes(20).toString('hex')}`;
  /** SKUs sold as an item without SKUs (found by taobao.items.custom.get). */
  readonly plainItems = new Set<string>();

  protected handle(request: IncomingMessage, body: string, response: ServerResponse): void {
    const params = Object.fromEntries(new URLSearchParams(body));
    const error = (code: number, msg: string, subCode?: string) =>
      this.json(response, 200, { error_response: { code, msg, ...(subCode ? { sub_code: subCode, sub_msg: msg } : {}), request_id: 'fake' } });
    const text = Object.keys(params).filter((key) => key !== 'sign' && params[key] !== '').sort().map((key) => `${key}${params[key]}`).join('');
    const sign = params.sign_method === 'md5'
      ? createHash('md5').update(`${this.appSecret}${text}${this.appSecret}`).digest('hex').toUpperCase()
      : createHmac('sha256', this.appSecret).update(text).digest('hex').toUpperCase();
    if (params.app_key !== this.appKey || params.sign !== sign) {
      this.refused++;
      return error(25, 'Invalid signature');
    }
    if (params.session !== this.sessionKey) return error(27, 'Invalid session', 'invalid-sessionkey');
    const skus = [...this.skus];
    const numIid = (sku: string) => String(600_000_000_000 + skus.indexOf(sku));
    const skuId = (sku: string) => String(4_000_000_000_000 + skus.indexOf(sku));
    switch (params.method) {
      case 'taobao.skus.custom.get': {
        const sku = params.outer_id;
        // a 64-bit id as TOP writes it, a JSON number
        return this.skus.has(sku) && !this.plainItems.has(sku)
          ? void response.writeHead(200, { 'Content-Type': 'application/json' }).end(`{"skus_custom_get_response":{"skus":{"sku":[{"sku_id":${skuId(sku)},"num_iid":${numIid(sku)},"outer_id":${JSON.stringify(sku)}}]}}}`)
          : this.json(response, 200, { skus_custom_get_response: {} });
      }
      case 'taobao.items.custom.get':
        return this.json(response, 200, this.plainItems.has(params.outer_id)
          ? { items_custom_get_response: { items: { item: [{ num_iid: Number(numIid(params.outer_id)), outer_id: params.outer_id }] } } }
          : { items_custom_get_response: {} });
      case 'taobao.item.quantity.update': {
        const sku = skus.find((candidate) => numIid(candidate) === params.num_iid);
        if (!sku) return error(15, 'item not found', 'isv.item-not-exist');
        if (this.plainItems.has(sku) ? params.sku_id !== undefined : params.sku_id !== skuId(sku)) return error(15, 'sku not found', 'isv.sku-not-exist');
        if (params.type !== '1' || !/^\d+$/.test(params.quantity)) return error(41, 'Invalid arguments', 'isv.invalid-parameter');
        this.sets.push({ sku, quantity: Number(params.quantity) });
        return this.json(response, 200, { item_quantity_update_response: { item: { num_iid: Number(params.num_iid), num: Number(params.quantity), modified: '2026-12-08 10:00:00' } } });
      }
      default:
        return error(22, 'Invalid method');
    }
  }
}
