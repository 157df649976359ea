import type { PageHandler } from 'adminjs';
import type { Response } from 'express';
import { AppError } from '../common/errors';
import { ContactChangeDto } from '../customers/customers.controller';
import type { CustomersService } from '../customers/customers.service';
import { validateLikeTheApi } from './actions/form-input';
import { actAs, shownAsItIs } from './actions/operator-action';
import { can } from './admin-access';
import type { AdminIdentity } from './admin-auth';
import { ADMIN_LANGUAGES, ADMIN_TRANSLATIONS, interpolate, languageOf } from './locale';
import { translateFormText } from './locale/forms';
import type { CustomersPageData } from './lists-contract';

export const CUSTOMERS_PAGE = 'customers';
const PAGE_SIZE = 50;

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

/**
 * The 客户 / Customers page (issue 14 item 7): `?q=&page=` the list (part of a name, phone or email), `?id=` one customer
 * with their orders and after-sales cases; POST `{id, name, phone, email}` corrects the contact on their open orders
 * (CustomersService.amendContact, with POST /api/customers/{id}/contact's permission orders.write).
 */
export function customersPage(identity: AdminIdentity, customers: CustomersService): PageHandler {
  return async (request, response, context): Promise<CustomersPageData & { notice?: unknown }> => {
    if (!can(context.currentAdmin, 'orders.read')) return { refused: true };
    const mayAmend = can(context.currentAdmin, 'orders.write');
    const language = languageOf(context.currentAdmin, ADMIN_LANGUAGES[0]);
    const query = (request.query ?? {}) as Record<string, unknown>;
    try {
      if (request.method === 'post') {
        const values = (request.payload ?? {}) as Record<string, unknown>;
        const id = text(values.id) ?? '';
        const outcome = await actAs(identity, 'orders.write', request, response as Response | undefined, context, async (actor) => {
          const change = await validateLikeTheApi(ContactChangeDto, { name: values.name ?? '', phone: text(values.phone) ?? '', ...(text(values.email) ? { email: text(values.email) } : {}) });
          return customers.amendContact(id, change, actor);
        });
        if ('refused' in outcome) {
          return { mayAmend, customer: await customers.get(id), fieldErrors: outcome.fieldErrors ?? {}, notice: shownAsItIs(translateFormText(outcome.refused, language), 'error') };
        }
        const { amended, refused, unchanged, customer } = outcome.done;
        const message = interpolate(ADMIN_TRANSLATIONS[language].server.lists.contactAmended, { amended: amended.length, refused: refused.length, unchanged });
        return { mayAmend, customer: await customers.get(customer?.id ?? id), notice: shownAsItIs(message, refused.length ? 'error' : 'success') };
      }
      const id = text(query.id);
      if (id) return { mayAmend, customer: await customers.get(id) };
      const q = text(query.q);
      if (q && q.length > 64) return { mayAmend, q, items: [], total: 0, page: 1, pageSize: PAGE_SIZE, problem: 'The search must be at most 64 characters' };
      const page = Math.min(Math.max(Math.floor(Number(query.page)) || 1, 1), 100_000);
      const { items, total } = await customers.list(q, (page - 1) * PAGE_SIZE, PAGE_SIZE);
      return { mayAmend, q, page, pageSize: PAGE_SIZE, total, items };
    } catch (error) {
      if (error instanceof AppError && error.status < 500) return { mayAmend, items: [], total: 0, problem: translateFormText(error.message, language) };
      throw error;
    }
  };
}
