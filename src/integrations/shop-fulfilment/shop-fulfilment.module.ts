import { Module } from '@nestjs/common';
import { FulfillmentModule } from '../../fulfillment/fulfillment.module';
import { ConnectorsModule } from '../connectors.module';
import { ShopFulfilmentPushes } from './shop-fulfilment.service';

/** The shop platforms told of what shipped (issue 15 item 2, outbound): Shopify fulfilments, WooCommerce, Taobao waybills. */
@Module({
  imports: [ConnectorsModule, FulfillmentModule],
  providers: [ShopFulfilmentPushes],
})
export class ShopFulfilmentModule {}
