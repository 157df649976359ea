import { Injectable, type OnModuleInit } from '@nestjs/common';
import { SYSTEM_ACTOR } from '../common/actor';
import { DemoDataService } from '../setup/demo-data.service';
import { AfterSalesService } from './after-sales.service';

const DEMO_CUSTOMER = { ...SYSTEM_ACTOR, name: 'customer (demo)' };

/** Demo after-sales work (G1.6): a return waiting for review and a damaged-goods case waiting for its refund. */
@Injectable()
export class AfterSalesDemo implements OnModuleInit {
  constructor(
    private readonly demo: DemoDataService,
    private readonly cases: AfterSalesService,
  ) {}

  onModuleInit(): void {
    this.demo.onDemoOrdersSettled(async (orders) => {
      const byExternalId = new Map(orders.map((order) => [order.externalId, order.id]));
      const returned = byExternalId.get('DEMO-1002');
      if (returned) await this.cases.open(returned, { type: 'return', lines: [{ sku: 'TEA-PE-357', quantity: 1 }], reason: '口味不喜欢 / not to my taste' }, DEMO_CUSTOMER);
      const damaged = byExternalId.get('DEMO-1010');
      if (damaged) {
        const opened = await this.cases.open(damaged, { type: 'damaged', lines: [{ sku: 'CUP-CER-01', quantity: 1 }], reason: '杯子碎了 / one cup arrived broken', description: '外箱有压痕' }, DEMO_CUSTOMER);
        await this.cases.approve(opened.id, { note: 'photo checked (demo)' }, { ...SYSTEM_ACTOR, name: 'customer service (demo)' });
      }
    });
  }
}
