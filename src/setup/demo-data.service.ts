import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { CatalogService } from '../catalog/catalog.service';
import { SYSTEM_ACTOR } from '../common/actor';
import { InventoryService } from '../inventory/inventory.service';
import type { CreateOrderDto } from '../orders/dto/create-order.dto';
import type { OrderStatus } from '../orders/order-status';
import { OrderShippingService } from '../orders/order-shipping.service';
import { OrdersService } from '../orders/orders.service';

const WAREHOUSES = [
  { code: 'SH-01', name: '上海青浦仓', province: '上海市', city: '上海市', priority: 10, costPerShipment: '8.00' },
  { code: 'GZ-01', name: '广州白云仓', province: '广东省', city: '广州市', priority: 20, costPerShipment: '7.00' },
  { code: 'BJ-01', name: '北京大兴仓', province: '北京市', city: '北京市', priority: 30, costPerShipment: '9.00' },
];

const PRODUCTS = [
  { sku: 'TEA-LJ-250', name: '西湖龙井 250g', spec: '250g 罐装', price: '168.00', purchaseLimit: 10, weightGrams: 320, stock: { 'SH-01': 60, 'GZ-01': 20 } },
  { sku: 'TEA-PE-357', name: '云南普洱饼茶 357g', spec: '357g 饼', price: '238.00', weightGrams: 400, stock: { 'GZ-01': 30, 'BJ-01': 10 } },
  { sku: 'CUP-CER-01', name: '景德镇陶瓷茶杯', spec: '白瓷 150ml', price: '59.90', weightGrams: 180, stock: { 'SH-01': 120, 'BJ-01': 40 } },
  { sku: 'POT-ZS-02', name: '宜兴紫砂壶', spec: '朱泥 200ml', price: '899.00', purchaseLimit: 2, weightGrams: 450, stock: { 'SH-01': 5 } },
  { sku: 'SET-GIFT-01', name: '中秋茶礼盒', spec: '龙井 + 茶杯 ×2', price: '329.00', weightGrams: 900, stock: { 'SH-01': 0, 'GZ-01': 0 } },
  { sku: 'HONEY-500', name: '百花蜂蜜 500g', spec: '玻璃瓶', price: '45.00', weightGrams: 650, stock: { 'BJ-01': 80 } },
];

type DemoOrder = { externalId: string; lines: Array<[string, number]>; name: string; phone: string; email?: string; locale?: 'zh-CN' | 'en'; province: string; city: string; line1: string; paid: boolean; then?: DemoFollowUp };
/** What happens to a demo order once it awaits shipment: shipped, cancelled, or (a split order) its first parcel shipped. */
type DemoFollowUp = 'ship' | 'cancel' | 'ship-first-parcel';

const ORDERS: DemoOrder[] = [
  { externalId: 'DEMO-1001', lines: [['TEA-LJ-250', 2], ['CUP-CER-01', 2]], name: '张伟', phone: '13800138000', email: 'zhangwei@example.com', province: '浙江省', city: '杭州市', line1: '西湖区文三路 100 号 3 单元 501', paid: true },
  { externalId: 'DEMO-1002', lines: [['TEA-PE-357', 1]], name: '李娜', phone: '13912345678', email: 'lina@example.com', province: '广东省', city: '深圳市', line1: '南山区科技园南路 88 号', paid: true, then: 'ship' },
  { externalId: 'DEMO-1003', lines: [['HONEY-500', 3]], name: 'Emily Chen', phone: '+8613711112222', email: 'emily@example.com', locale: 'en', province: 'Beijing', city: 'Beijing', line1: '1 Jianguomenwai Ave, Chaoyang', paid: true },
  { externalId: 'DEMO-1004', lines: [['CUP-CER-01', 1]], name: '王芳', phone: '12345', province: '江苏省', city: '南京市', line1: '鼓楼区中山路 1 号', paid: true },
  { externalId: 'DEMO-1005', lines: [['SET-GIFT-01', 1]], name: '刘洋', phone: '13600001111', email: 'liuyang@example.com', province: '上海市', city: '上海市', line1: '浦东新区世纪大道 200 号', paid: true },
  { externalId: 'DEMO-1006', lines: [['TEA-LJ-250', 1]], name: '陈静', phone: '13700002222', province: '四川省', city: '成都市', line1: '武侯区天府大道 300 号', paid: false },
  { externalId: 'DEMO-1007', lines: [['POT-ZS-02', 3]], name: '赵磊', phone: '13500003333', province: '湖北省', city: '武汉市', line1: '洪山区珞喻路 129 号', paid: true },
  { externalId: 'DEMO-1008', lines: [['CUP-CER-01', 4]], name: '孙丽', phone: '13300004444', email: 'sunli@example.com', province: '山东省', city: '青岛市', line1: '市南区香港中路 10 号', paid: true, then: 'cancel' },
  // no warehouse has both: split between SH-01 (the teapot) and GZ-01 (the pu'er), the first parcel already gone
  { externalId: 'DEMO-1010', lines: [['CUP-CER-01', 2], ['HONEY-500', 1]], name: '吴敏', phone: '13200006666', email: 'wumin@example.com', province: '浙江省', city: '宁波市', line1: '鄞州区天童南路 588 号', paid: true, then: 'ship' },
  { externalId: 'DEMO-1009', lines: [['POT-ZS-02', 1], ['TEA-PE-357', 1]], name: '周杰', phone: '13400005555', email: 'zhoujie@example.com', province: '福建省', city: '厦门市', line1: '思明区环岛南路 8 号', paid: true, then: 'ship-first-parcel' },
];

/** Demo data of another area, seeded once the demo orders have moved on (areas that build on orders register one). */
export type DemoFollowUpSeeder = (orders: Array<{ id: string; externalId: string }>) => Promise<void>;

/** A working back office on the first start of the embedded database (README "first run"). */
@Injectable()
export class DemoDataService {
  private readonly logger = new Logger('DemoData');
  private readonly seeders: DemoFollowUpSeeder[] = [];
  /** The follow-ups of this start's seeding (they run after the start): resolved at once when nothing was seeded. */
  private followUps: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly catalog: CatalogService,
    private readonly inventory: InventoryService,
    private readonly orders: OrdersService,
    private readonly shipping: OrderShippingService,
  ) {}

  onDemoOrdersSettled(seeder: DemoFollowUpSeeder): void {
    this.seeders.push(seeder);
  }

  /** Seeds once per database: the marker row is written first, so two processes never both seed. */
  async seedOnce(): Promise<void> {
    const [marker] = await this.db.query(
      `INSERT INTO app_setting (key, value) VALUES ('demo-data', to_jsonb(now())) ON CONFLICT (key) DO NOTHING RETURNING key`,
    );
    if (!marker) return;
    for (const warehouse of WAREHOUSES) await this.inventory.createWarehouse(warehouse);
    for (const { stock, ...product } of PRODUCTS) {
      await this.catalog.createProduct(product);
      for (const [warehouse, onHand] of Object.entries(stock)) await this.inventory.setLevel(warehouse, product.sku, onHand, undefined, 'demo');
    }
    const placed = [];
    for (const [index, order] of ORDERS.entries()) {
      const { order: created } = await this.orders.intake(toOrderInput(order, index), SYSTEM_ACTOR);
      placed.push({ id: created.id, externalId: order.externalId, then: order.then });
    }
    this.logger.log(`demo data: ${WAREHOUSES.length} warehouses, ${PRODUCTS.length} products, ${ORDERS.length} orders`);
    // the follow-up actions wait for the workflow to bring those orders to awaiting_shipment
    this.followUps = this.finishDemoOrders(placed).catch((error) => this.logger.warn(`demo follow-ups: ${(error as Error).message}`));
  }

  /** Resolves when the demo follow-ups of this start are done (at once when this start seeded nothing); never rejects. */
  settled(): Promise<void> {
    return this.followUps;
  }

  private async finishDemoOrders(placed: Array<{ id: string; externalId: string; then?: DemoFollowUp }>): Promise<void> {
    for (const { id, then } of placed) {
      if (!then) continue;
      if (!(await this.waitForStatus(id, 'awaiting_shipment'))) continue;
      const trackingNumber = `SF${Date.now().toString().slice(-10)}`;
      if (then === 'ship') await this.orders.ship(id, 'sf', trackingNumber, SYSTEM_ACTOR);
      else if (then === 'cancel') await this.orders.cancel(id, 'customer changed their mind (demo)', SYSTEM_ACTOR);
      else await this.shipping.shipShipment((await this.orders.get(id)).shipments[0].id, 'sf', trackingNumber, SYSTEM_ACTOR);
    }
    for (const seed of this.seeders) await seed(placed);
  }

  private async waitForStatus(id: string, status: OrderStatus, timeoutMs = 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const [row] = await this.db.query(`SELECT status FROM customer_order WHERE id = $1`, [id]);
      if (row?.status === status) return true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return false;
  }
}

function toOrderInput(order: DemoOrder, index: number): CreateOrderDto {
  const prices = new Map(PRODUCTS.map((product) => [product.sku, product.price]));
  return {
    channel: index % 2 ? 'jd' : 'tmall',
    externalId: order.externalId,
    placedAt: new Date(Date.now() - (ORDERS.length - index) * 3_600_000).toISOString(),
    customer: { name: order.name, phone: order.phone, email: order.email, locale: order.locale },
    shippingAddress: { province: order.province, city: order.city, line1: order.line1, country: 'CN' },
    lines: order.lines.map(([sku, quantity]) => ({ sku, quantity, unitPrice: prices.get(sku)! })),
    payment: { method: index % 2 ? 'wechat' : 'alipay', status: order.paid ? 'paid' : 'pending' },
  };
}
