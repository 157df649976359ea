import { Injectable, type OnModuleInit } from '@nestjs/common';
import { NotFoundError } from '../../common/errors';
import { isUuid } from '../../fulfillment/fulfillment.service';
import { OrdersService } from '../../orders/orders.service';
import { TaskSubjectRegistry } from '../../workflow/task-subjects';
import { AfterSalesService } from '../after-sales.service';

/** A user task of a case's instance (variable `caseId`) shows the case and its order's customer (issue 14 item 9). */
@Injectable()
export class CaseTaskSubject implements OnModuleInit {
  constructor(
    private readonly subjects: TaskSubjectRegistry,
    private readonly cases: AfterSalesService,
    private readonly orders: OrdersService,
  ) {}

  onModuleInit(): void {
    this.subjects.register(10, async (variables) => {
      const caseId = variables.caseId;
      if (typeof caseId !== 'string' || !isUuid(caseId)) return null;
      try {
        const view = await this.cases.get(caseId);
        const order = await this.orders.get(view.orderId);
        return {
          kind: 'after_sales_case',
          id: view.id,
          number: view.number,
          type: view.type,
          status: view.status,
          reason: view.reason,
          description: view.description,
          lines: view.lines,
          refundable: view.refundable,
          order: { number: order.number, status: order.status, customer: { name: order.customer.name, phone: order.customer.phone } },
        };
      } catch (error) {
        if (error instanceof NotFoundError) return null;
        throw error;
      }
    });
  }
}
