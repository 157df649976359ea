/**
 * The tasklist (like Camunda Tasklist): user tasks waiting in process instances, filtered by status, candidate
 * role and assignee; claim one, then complete it with its form's fields (the only variables it accepts).
 */
import '../shared/ui.css';
import './tasks.css';

import { api, ApiError, describeError } from '../shared/api';
import { clear, currentUser, el, formatTime, notify, required, start } from '../shared/page';
import type { UserTask } from '../shared/types';
import { tr } from '../shared/i18n';
import { TaskForm } from './task-form';
import type { TaskSubject } from '../../../workflow/task-subject-types';
import { subjectView } from './task-subject';
import { enumText, formText } from './texts';

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
            el('td', {}, (task.candidateRoles ?? []).map((role) => enumText('role', role)).join('、')),
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
    const fields = new TaskForm(task.formFields ?? []);
    if (!task.formFields?.length) fields.element.prepend(el('p', { class: 'oms-muted' }, tr('This task has no form: completing it records that it is done.')));
    const subject = el('div', {}, el('p', { class: 'oms-muted' }, tr('Loading…')));
    const form: HTMLFormElement = el('form', { class: 'oms-complete-form', novalidate: true, onsubmit: (event: Event) => {
      event.preventDefault();
      void this.complete(task, fields, form);
    } },
      el('h2', {}, task.name || task.elementId),
      el('p', { class: 'oms-muted' }, `${task.dueAt ? `${tr('due')} ${formatTime(task.dueAt)}` : ''}${task.assignee ? ` · ${tr('assigned to')} ${task.assignee}` : ''}`),
      subject,
      fields.element,
      el('div', { class: 'oms-form-actions' }, el('button', { type: 'submit', class: 'oms-primary' }, tr('Complete task'))),
    );
    this.form.append(form);
    void this.loadSubject(task, subject);
  }

  /** The order or case beside the form (GET /api/tasks/{id}/subject). */
  private async loadSubject(task: UserTask, target: HTMLElement): Promise<void> {
    try {
      const { subject } = await api<{ subject: TaskSubject | null }>('GET', `/tasks/${encodeURIComponent(task.id)}/subject`);
      target.replaceChildren(subjectView(subject));
    } catch {
      target.replaceChildren(el('p', { class: 'oms-error-text' }, formText('subjectFailed')));
    }
  }

  private async complete(task: UserTask, fields: TaskForm, form: HTMLFormElement): Promise<void> {
    const variables = fields.read();
    if (!variables) return;
    const submit = form.querySelector('button[type=submit]') as HTMLButtonElement;
    submit.disabled = true;
    try {
      await api('POST', `/tasks/${encodeURIComponent(task.id)}/complete`, { json: { variables } });
      notify(formText('completed', { name: task.name || task.elementId }), 'success');
      this.selected = null;
      await this.load();
    } catch (error) {
      fields.showApiError(error, describeError(error));
      submit.disabled = false;
    }
  }
}

