/** The diagram that runs every order (workflows/order-fulfillment.bpmn). */
export const ORDER_WORKFLOW = 'order-fulfillment';

/** Messages the order-fulfillment diagram waits for. */
export const ORDER_MESSAGES = {
  approved: 'OrderApproved',
  paymentReceived: 'PaymentReceived',
  stockArrived: 'StockArrived',
  shipped: 'OrderShipped',
  delivered: 'OrderDelivered',
  receiptConfirmed: 'ReceiptConfirmed',
} as const;
