/** What the customers API and the admin's customers page answer (issue 14 item 7): plain types the admin's components import too. */

/** One customer, derived from the orders: everyone who ordered with one phone number (as the customer-behaviour report counts them). */
export interface CustomerSummary {
  id: string;
  /** The name on their latest order. */
  name: string;
  phone: string;
  emails: string[];
  orders: number;
  /** What they bought: paid, not cancelled orders' grand totals minus the refunds of their after-sales cases (README "Reports"). */
  spend: string;
  firstOrderAt: string;
  lastOrderAt: string;
}

export interface CustomerDetail extends CustomerSummary {
  /** Orders whose contact an amendment still changes (pending_payment, pending_review, exception). */
  openOrders: number;
  orderList: Array<{ id: string; number: string; status: string; grandTotal: string; paymentStatus: string; placedAt: string }>;
  cases: Array<{ id: string; number: string; orderNumber: string; type: string; status: string; refundAmount: string | null; createdAt: string }>;
}

export interface ContactChange {
  name: string;
  phone: string;
  email?: string | null;
}

export interface ContactAmendment {
  customer: CustomerSummary | null;
  amended: Array<{ id: string; number: string }>;
  refused: Array<{ id: string; number: string; message: string }>;
  /** Orders past review keep the contact they shipped with. */
  unchanged: number;
}
