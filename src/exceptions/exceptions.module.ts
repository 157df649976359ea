import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { OrdersModule } from '../orders/orders.module';
import { ExceptionQueuesController } from './exception-queues.controller';
import { ExceptionQueuesService } from './exception-queues.service';

/** G2.6 exception work queues (issue 14 item 4). */
@Module({
  imports: [AuthModule, OrdersModule],
  controllers: [ExceptionQueuesController],
  providers: [ExceptionQueuesService],
  exports: [ExceptionQueuesService],
})
export class ExceptionsModule {}
