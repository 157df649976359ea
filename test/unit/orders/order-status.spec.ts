import { AMENDABLE_STATUSES, APPROVABLE_STATUSES, CANCELLABLE_STATUSES, canTransition, ORDER_STATUSES, ORDER_TRANSITIONS } from '../../../src/orders/order-status';

/** API.md "Order status" and the actions' rules: the transitions table is the one place they are decided. */
describe('order status transitions', () => {
  it('lists exactly the statuses of API.md', () => {
    expect([...ORDER_STATUSES].sort()).toEqual(
      ['pending_payment', 'pending_review', 'exception', 'awaiting_stock', 'awaiting_shipment', 'partially_shipped', 'shipped', 'delivered', 'completed', 'cancelled'].sort(),
    );
  });

  it('every status has an entry and every target is a known status; no status moves to itself', () => {
    for (const status of ORDER_STATUSES) {
      expect(ORDER_TRANSITIONS[status]).toBeDefined();
      for (const target of ORDER_TRANSITIONS[status]) {
        expect(ORDER_STATUSES).toContain(target);
        expect(target).not.toBe(status);
      }
    }
  });

  it('cancel is allowed in every status before shipment and in none after', () => {
    expect([...CANCELLABLE_STATUSES].sort()).toEqual(['awaiting_shipment', 'awaiting_stock', 'exception', 'pending_payment', 'pending_review'].sort());
    for (const status of ['partially_shipped', 'shipped', 'delivered', 'completed', 'cancelled'] as const) {
      expect(canTransition(status, 'cancelled')).toBe(false);
    }
  });

  it.each(['completed', 'cancelled'] as const)('%s is terminal: nothing follows it', (status) => {
    expect(ORDER_TRANSITIONS[status]).toEqual([]);
    for (const target of ORDER_STATUSES) expect(canTransition(status, target)).toBe(false);
  });

  it('nothing goes back from shipped to a status before shipment', () => {
    const beforeShipment = ['pending_payment', 'pending_review', 'exception', 'awaiting_stock', 'awaiting_shipment'] as const;
    for (const from of ['shipped', 'delivered', 'completed'] as const) {
      for (const to of beforeShipment) expect(canTransition(from, to)).toBe(false);
    }
  });

  it('the happy path is allowed step by step', () => {
    const path = ['pending_payment', 'pending_review', 'awaiting_shipment', 'shipped', 'delivered', 'completed'] as const;
    for (let i = 1; i < path.length; i++) expect(canTransition(path[i - 1], path[i])).toBe(true);
  });

  it('review can hold an order (exception), a person sends it back to review, waiting for stock ends in allocation', () => {
    expect(canTransition('pending_review', 'exception')).toBe(true);
    expect(canTransition('exception', 'pending_review')).toBe(true);
    expect(canTransition('pending_review', 'awaiting_stock')).toBe(true);
    expect(canTransition('awaiting_stock', 'awaiting_shipment')).toBe(true);
  });

  it('only pending_review and exception orders can be approved; amend while pending_payment, pending_review or exception', () => {
    expect([...APPROVABLE_STATUSES].sort()).toEqual(['exception', 'pending_review']);
    expect([...AMENDABLE_STATUSES].sort()).toEqual(['exception', 'pending_payment', 'pending_review']);
  });

  it('a shipped order can be delivered or completed (confirm receipt), a delivered one completed', () => {
    expect(canTransition('shipped', 'delivered')).toBe(true);
    expect(canTransition('shipped', 'completed')).toBe(true);
    expect(canTransition('delivered', 'completed')).toBe(true);
  });
});
