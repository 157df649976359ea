/**
 * The tasklist (like Camunda Tasklist): user tasks waiting in process instances, filtered by status, candidate
 * role and assignee; claim one, then complete it with its form's fields (the only variables it accepts).
 */
import '../shared/ui.css';
import './tasks.css';

import { api, ApiError, describeError } from '../shared/api';
import { clear, currentUser, el, formatTime, notify, required, start } from '../shared/page';
import type { FormField, UserTask } from '../shared/types';
import { tr } from '../shared/i18n';

/** How a form field is typed in: the API checks each value against the field's type again. */
type ValueKind = 'text' | 'number' | 'boolean';

/** The API's status filter: `active` is open or claimed (its default). */
const STATUSES: Record<string, string> = {
  active: 'open or claimed',
  open: 'open',
  claimed: 'claimed',
  completed: 'completed',
  cancelled: 'cancelled',
};
const ACTIVE = new Set(['open', 'claimed']);

start(async () => {
  const page = new TasklistPage(required<HTMLElement>('#app'));
  await page.load();
});

class TasklistPage {
  private readonly status: HTMLSelectElement;
  private readonly role: HTMLInputElement;
  private readonly assignee: HTMLInputElement;
  private readonly list: HTMLElement;
  private readonly form: HTMLElement;
  private tasks: UserTask[] = [];
  private selected: string | null = null;

  constructor(root: HTMLElement) {
    document.title = tr('Tasks · OMS');
    const params = new URLSearchParams(window.location.search);
    this.status = el('select', { name: 'status', 'aria-label': tr('Status') },
      ...Object.entries(STATUSES).map(([value, label]) => el('option', { value }, tr(label))));
    this.status.value = params.get('status') ?? 'active';
    if (!this.status.value) this.status.value = 'active';
    this.role = el('input', { name: 'role', placeholder: tr('any role'), value: params.get('role') ?? '', 'aria-label': tr('Candidate role') });
    this.assignee = el('input', { name: 'assignee', placeholder: tr('anyone'), value: params.get('assignee') ?? '', 'aria-label': tr('Assignee') });
    this.list = el('div', { class: 'oms-task-list', 'data-testid': 'tasks' });
    this.form = el('aside', { class: 'oms-task-form oms-card', 'aria-label': tr('Task') });
    clear(root);
    root.append(
      el('div', { class: 'oms-page' },
        el('h1', {}, tr('Tasks')),
        el('form', { class: 'oms-filters', onsubmit: (event: Event) => {
          event.preventDefault();
          void this.load();
        } },
          el('label', {}, tr('Status '), this.status),
          el('label', {}, tr('Candidate role '), this.role),
          el('label', {}, tr('Assignee '), this.assignee),
          el('button', { type: 'button', onclick: () => {
            this.assignee.value = currentUser().email;
            void this.load();
          } }, tr('Mine')),
          el('button', { type: 'submit', class: 'oms-primary' }, tr('Show')),
        ),
        el('div', { class: 'oms-tasks-layout' }, this.list, this.form),
      ),
    );
    this.renderForm();
  }

  async load(): Promise<void> {
    const query = new URLSearchParams();
    query.set('status', this.status.value);
    if (this.role.value.trim()) query.set('role', this.role.value.trim());
    if (this.assignee.value.trim()) query.set('assignee', this.assignee.value.trim());
    window.history.replaceState(null, '', `?${query}`);
    clear(this.list);
    this.list.append(el('p', { class: 'oms-muted' }, tr('Loading…')));
    try {
      const body = await api<UserTask[] | { items: UserTask[] }>('GET', `/tasks?${query}`);
      this.tasks = Array.isArray(body) ? body : body.items;
    } catch (error) {
      this.tasks = [];
      clear(this.list);
      const missing = error instanceof ApiError && error.routeMissing;
      this.list.append(el('p', { class: 'oms-error-text', 'data-testid': 'tasks-error' }, missing ? 'The task API (GET /api/tasks) is not available on this server yet.' : describeError(error)));
      return;
    }
    if (this.selected && !this.tasks.some((task) => task.id === this.selected)) this.selected = null;
    this.renderList();
    this.renderForm();
  }

  private renderList(): void {
    clear(this.list);
    if (this.tasks.length === 0) {
      this.list.append(el('p', { class: 'oms-muted' }, tr('No tasks match')));
      return;
    }
    const me = currentUser();
    this.list.append(
      el('table', { class: 'oms-table' },
        el('thead', {}, el('tr', {}, ...['Task', 'Instance', 'Candidate roles', 'Assignee', 'Due', 'Created', 'Status', ''].map((title) => el('th', {}, title ? tr(title) : '')))),
        el('tbody', {}, ...this.tasks.map((task) => {
          const overdue = task.overdue ?? (!!task.dueAt && ACTIVE.has(task.status) && Date.parse(task.dueAt) < Date.now());
          const mine = task.assignee === me.email || task.assignee === me.id;
          // a claimed task is completed by whoever claimed it (the API refuses anyone else)
          const completable = task.status === 'open' || (task.status === 'claimed' && mine);
          return el('tr', { class: `${task.id === this.selected ? 'oms-selected' : ''}`, 'data-task-id': task.id },
            el('td', {}, el('a', { href: '#', onclick: (event: Event) => {
              event.preventDefault();
              this.select(task.id);
            } }, task.name || task.elementId)),
            el('td', {}, el('a', { href: `/admin/workflow-ui/instance?id=${encodeURIComponent(task.instanceId)}` }, task.businessKey ?? task.instanceId.slice(0, 8))),
            el('td', {}, (task.candidateRoles ?? []).join(', ')),
            el('td', {}, task.assignee ?? el('em', {}, tr('unassigned'))),
            el('td', { class: overdue ? 'oms-error-text' : '' }, formatTime(task.dueAt)),
            el('td', {}, formatTime(task.createdAt)),
            el('td', { 'data-status': task.status }, tr(task.status)),
            el('td', {},
              task.status === 'open' ? el('button', { type: 'button', onclick: () => this.claim(task) }, tr('Claim')) : '',
              completable ? el('button', { type: 'button', class: 'oms-primary', onclick: () => this.select(task.id) }, tr('Complete…')) : '',
            ),
          );
        })),
      ),
    );
  }

  private select(taskId: string): void {
    this.selected = taskId;
    this.renderList();
    this.renderForm();
  }

  private async claim(task: UserTask): Promise<void> {
    try {
      await api('POST', `/tasks/${encodeURIComponent(task.id)}/claim`);
      notify(`Claimed "${task.name || task.elementId}"`, 'success');
      this.selected = task.id;
      await this.load();
    } catch (error) {
      notify(describeError(error), 'error');
    }
  }

  private renderForm(): void {
    clear(this.form);
    const task = this.tasks.find((candidate) => candidate.id === this.selected);
    if (!task || !ACTIVE.has(task.status)) {
      this.form.append(el('p', { class: 'oms-muted' }, tr('Choose a task to complete it')));
      return;
    }
    const rows = el('div', { class: 'oms-variable-rows' });
    const fields = task.formFields ?? [];
    for (const field of fields) rows.append(fieldRow(field));
    if (fields.length === 0) rows.append(el('p', { class: 'oms-muted' }, tr('This task has no form: completing it records that it is done.')));
    const form = el('form', { class: 'oms-complete-form', onsubmit: (event: Event) => {
      event.preventDefault();
      void this.complete(task, rows, form);
    } },
      el('h2', {}, task.name || task.elementId),
      el('p', { class: 'oms-muted' }, `${tr('Step')} ${task.elementId}${task.dueAt ? ` · ${tr('due')} ${formatTime(task.dueAt)}` : ''}${task.assignee ? ` · ${tr('assigned to')} ${task.assignee}` : ''}`),
      rows,
      el('div', { class: 'oms-form-actions' }, el('button', { type: 'submit', class: 'oms-primary' }, tr('Complete task'))),
    );
    this.form.append(form);
  }

  private async complete(task: UserTask, rows: HTMLElement, form: HTMLFormElement): Promise<void> {
    let variables: Record<string, unknown>;
    try {
      variables = readVariables(rows);
    } catch (error) {
      notify(describeError(error), 'error');
      return;
    }
    const submit = form.querySelector('button[type=submit]') as HTMLButtonElement;
    submit.disabled = true;
    try {
      await api('POST', `/tasks/${encodeURIComponent(task.id)}/complete`, { json: { variables } });
      notify(`Completed "${task.name || task.elementId}"`, 'success');
      this.selected = null;
      await this.load();
    } catch (error) {
      const details = error instanceof ApiError && error.details.length ? `: ${error.details.map((detail) => `${detail.path} ${detail.message}`).join('; ')}` : '';
      notify(`${describeError(error)}${details}`, 'error');
      submit.disabled = false;
    }
  }
}

/** A declared form field: its label, and an input of the field's type. */
function fieldRow(field: FormField): HTMLElement {
  const kind: ValueKind = field.type === 'number' ? 'number' : field.type === 'boolean' ? 'boolean' : 'text';
  let input: HTMLInputElement | HTMLSelectElement;
  if (field.options?.length) {
    input = el('select', {}, el('option', { value: '' }, ''), ...field.options.map((option) => el('option', { value: option }, option)));
  } else if (kind === 'boolean') {
    input = el('input', { type: 'checkbox' });
    input.checked = field.defaultValue === true;
  } else {
    const type = kind === 'number' ? 'number' : field.type === 'date' ? 'date' : 'text';
    input = el('input', { type, step: kind === 'number' ? 'any' : null, inputmode: field.type === 'money' ? 'decimal' : null, placeholder: field.type === 'money' ? '0.00' : null });
  }
  if (kind !== 'boolean' && field.defaultValue !== undefined && field.defaultValue !== null) input.value = String(field.defaultValue);
  input.required = !!field.required && kind !== 'boolean';
  input.dataset.name = field.name;
  input.dataset.kind = kind;
  return el('label', { class: 'oms-variable-row' }, el('span', {}, `${field.label ?? field.name}${field.required ? ' *' : ''}`), input);
}

function readVariables(rows: HTMLElement): Record<string, unknown> {
  const variables: Record<string, unknown> = {};
  for (const input of rows.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-name]')) {
    const kind = input.dataset.kind as ValueKind;
    if (kind === 'boolean') variables[input.dataset.name!] = (input as HTMLInputElement).checked;
    else if (input.value !== '') variables[input.dataset.name!] = convert(input.value, kind, input.dataset.name!);
  }
  return variables;
}

function convert(text: string, kind: ValueKind, name: string): unknown {
  if (kind !== 'number') return text.trim();
  const number = Number(text);
  if (text.trim() === '' || !Number.isFinite(number)) throw new Error(`${name}: "${text}" is not a number`);
  return number;
}
