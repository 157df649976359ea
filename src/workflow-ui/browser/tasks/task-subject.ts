/**
 * The order or after-sales case a task concerns, beside its form (issue 14 item 9): who the customer is, what they
 * bought or claim, where it stands, in the user's words (待审核, 退货退款 ...), with a link to its admin page.
 */
import type { TaskSubject } from '../../../workflow/task-subject-types';
import { el } from '../shared/page';
import { enumText, formText } from './texts';

/** A line of either subject (an order's have a unit price, a case's do not). */
type SubjectLine = { sku: string; name: string; quantity: number; unitPrice?: string };

const money = (amount: string) => `¥${amount}`;

function facts(rows: Array<[string, string | Node]>): HTMLElement {
  return el('dl', { class: 'oms-subject-facts' }, ...rows.flatMap(([label, value]) => [el('dt', {}, label), el('dd', {}, value)]));
}

function lines(items: SubjectLine[], withPrice: boolean): HTMLElement {
  return el('table', { class: 'oms-table oms-subject-lines' },
    el('thead', {}, el('tr', {}, el('th', {}, formText('product')), el('th', {}, formText('sku')), el('th', { class: 'oms-num' }, formText('quantity')), withPrice ? el('th', { class: 'oms-num' }, formText('unitPrice')) : '')),
    el('tbody', {}, ...items.map((line) => el('tr', {},
      el('td', {}, line.name), el('td', {}, line.sku), el('td', { class: 'oms-num' }, String(line.quantity)),
      withPrice ? el('td', { class: 'oms-num' }, line.unitPrice ? money(line.unitPrice) : '') : '',
    ))),
  );
}

export function subjectView(subject: TaskSubject | null): HTMLElement {
  if (!subject) return el('section', { class: 'oms-task-subject', 'data-testid': 'task-subject' }, el('p', { class: 'oms-muted' }, formText('noSubject')));
  if (subject.kind === 'order') {
    return el('section', { class: 'oms-task-subject', 'data-testid': 'task-subject' },
      el('h3', {}, `${formText('order')} ${subject.number}`),
      facts([
        [formText('status'), el('span', { class: 'oms-status', 'data-status': subject.status }, enumText('orderStatus', subject.status))],
        [formText('customer'), subject.customer.name],
        [formText('phone'), subject.customer.phone],
        [formText('orderTotal'), money(subject.total)],
        ...(subject.flags.length ? [[formText('flags'), subject.flags.map((flag) => enumText('flag', flag.code)).join('、')] as [string, string]] : []),
      ]),
      lines(subject.lines, true),
      el('a', { href: `/admin/resources/Order/records/${encodeURIComponent(subject.id)}/show` }, formText('openOrder')),
    );
  }
  return el('section', { class: 'oms-task-subject', 'data-testid': 'task-subject' },
    el('h3', {}, `${formText('afterSalesCase')} ${subject.number}`),
    facts([
      [formText('caseType'), enumText('caseType', subject.type)],
      [formText('status'), el('span', { class: 'oms-status', 'data-status': subject.status }, enumText('caseStatus', subject.status))],
      [formText('reason'), subject.reason],
      ...(subject.description ? [[formText('description'), subject.description] as [string, string]] : []),
      [formText('orderNumber'), `${subject.order.number}（${enumText('orderStatus', subject.order.status)}）`],
      [formText('customer'), subject.order.customer.name],
      [formText('phone'), subject.order.customer.phone],
      [formText('refundable'), money(subject.refundable)],
    ]),
    lines(subject.lines, false),
    el('a', { href: `/admin/resources/AfterSalesCase/records/${encodeURIComponent(subject.id)}/show` }, formText('openCase')),
  );
}
