/**
 * One process instance (like Camunda Operate): its version's diagram with completed, current and failed elements
 * marked, the variables, the history and the incidents with a retry.
 */
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/diagram-js.css';
import '../shared/ui.css';
import './instance.css';

import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import type { Element } from 'bpmn-js/lib/model/Types';
import type Canvas from 'diagram-js/lib/core/Canvas';
import type ElementRegistry from 'diagram-js/lib/core/ElementRegistry';
import { moddleExtensions } from '../../../workflow/bpmn/moddle-extensions';
import { api, describeError } from '../shared/api';
import { clear, el, fitDiagram, formatDuration, formatTime, notify, queryParam, required, start } from '../shared/page';
import type { ProcessInstanceView, WorkflowVersion } from '../shared/types';
import { tr, trf } from '../shared/i18n';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ENDED = new Set(['completed', 'terminated']);
const REFRESH_MS = 5000;

/** One state per element, the most important wins: a failure over a wait over a past visit. */
type ElementState = 'incident' | 'current' | 'completed';
const MARKERS: Record<ElementState, string> = { incident: 'oms-incident', current: 'oms-current', completed: 'oms-completed' };

declare global {
  interface Window {
    bpmnViewer?: NavigatedViewer;
  }
}

start(async () => {
  const id = queryParam('id') ?? '';
  if (!UUID.test(id)) throw new Error('Open this page with ?id=<process instance id>');
  const page = new InstancePage(required<HTMLElement>('#app'), id);
  await page.load();
});

class InstancePage {
  private readonly viewer: NavigatedViewer;
  private readonly header: HTMLElement;
  private readonly details: HTMLElement;
  private shownVersion: string | null = null;
  private marked = new Map<string, ElementState>();
  private timer: number | undefined;

  constructor(
    root: HTMLElement,
    private readonly id: string,
  ) {
    const canvas = el('div', { class: 'oms-viewer', id: 'canvas' });
    this.header = el('div', { class: 'oms-instance-header' });
    this.details = el('div', { class: 'oms-instance-details' });
    clear(root);
    root.append(
      el('div', { class: 'oms-page oms-instance' },
        this.header,
        el('div', { class: 'oms-legend' },
          el('span', { class: 'oms-swatch oms-swatch-completed' }), 'completed',
          el('span', { class: 'oms-swatch oms-swatch-current' }), 'current',
          el('span', { class: 'oms-swatch oms-swatch-incident' }), 'incident',
        ),
        canvas,
        this.details,
      ),
    );
    this.viewer = new NavigatedViewer({ container: canvas, moddleExtensions: { oms: moddleExtensions.oms } });
    window.bpmnViewer = this.viewer;
  }

  async load(): Promise<void> {
    window.clearTimeout(this.timer);
    const instance = await api<ProcessInstanceView>('GET', `/process-instances/${this.id}`);
    const version = `${instance.definitionKey}@${instance.version}`;
    if (this.shownVersion !== version) {
      const definition = await api<WorkflowVersion>('GET', `/workflows/${encodeURIComponent(instance.definitionKey)}/versions/${instance.version}`);
      await this.viewer.importXML(definition.xml);
      fitDiagram(this.viewer.get<Canvas>('canvas'));
      this.shownVersion = version;
      this.marked.clear();
    }
    this.mark(instance);
    this.renderHeader(instance);
    this.renderDetails(instance);
    document.body.dataset.instanceStatus = instance.status;
    if (!ENDED.has(instance.status)) this.timer = window.setTimeout(() => this.reload(), REFRESH_MS);
  }

  private async reload(): Promise<void> {
    try {
      await this.load();
    } catch (error) {
      notify(describeError(error), 'error');
    }
  }

  private mark(instance: ProcessInstanceView): void {
    const states = new Map<string, ElementState>();
    const rank = (state: ElementState | undefined) => (state ? ['completed', 'current', 'incident'].indexOf(state) : -1);
    const raise = (elementId: string | null, state: ElementState) => {
      if (elementId && rank(state) > rank(states.get(elementId))) states.set(elementId, state);
    };
    for (const entry of instance.activity) raise(entry.elementId, entry.leftAt ? 'completed' : 'current');
    for (const waiting of instance.waitingAt ?? []) raise(waiting.elementId, 'current');
    for (const incident of instance.incidents) if (incident.status === 'open') raise(incident.elementId, 'incident');
    // nothing is current any more once the instance has ended
    if (ENDED.has(instance.status)) for (const [elementId, state] of states) if (state === 'current') states.set(elementId, 'completed');

    const canvas = this.viewer.get<Canvas>('canvas');
    const registry = this.viewer.get<ElementRegistry>('elementRegistry');
    for (const [elementId, state] of this.marked) if (states.get(elementId) !== state && registry.get(elementId)) canvas.removeMarker(elementId, MARKERS[state]);
    for (const [elementId, state] of states) if (this.marked.get(elementId) !== state && registry.get(elementId)) canvas.addMarker(elementId, MARKERS[state]);
    this.marked = states;
  }

  private renderHeader(instance: ProcessInstanceView): void {
    clear(this.header);
    document.title = `${instance.businessKey ?? instance.id} · Instance · OMS`;
    this.header.append(
      el('h1', {}, instance.businessKey ? trf('Instance {key}', { key: instance.businessKey }) : tr('Process instance')),
      el('span', { class: `oms-chip oms-chip-${instance.status}`, 'data-testid': 'instance-status' }, instance.status),
      el('span', { class: 'oms-meta' },
        el('a', { href: `/admin/workflow-ui/modeler?key=${encodeURIComponent(instance.definitionKey)}&version=${instance.version}`, title: tr('Open this version in the modeler') }, `${instance.definitionKey} v${instance.version}`),
        ` · started ${formatTime(instance.createdAt)}`,
        // the principal its steps act with (the system for the product's own flows)
        instance.startedBy ? el('span', { 'data-testid': 'instance-started-by' }, ` by ${instance.startedBy.kind === 'api_key' ? 'API key ' : ''}${instance.startedBy.name}`) : '',
        instance.endedAt ? ` · ended ${formatTime(instance.endedAt)}` : '',
        ` · ${instance.id}`,
      ),
      el('span', { class: 'oms-spacer' }),
      el('button', { type: 'button', onclick: () => this.reload() }, tr('Refresh')),
    );
  }

  private renderDetails(instance: ProcessInstanceView): void {
    clear(this.details);
    const waiting = instance.waitingAt ?? [];
    this.details.append(
      el('section', { class: 'oms-card' },
        el('h2', {}, tr('Waiting at')),
        waiting.length
          ? el('ul', { class: 'oms-plain-list' }, ...waiting.map((wait) =>
              el('li', {}, this.elementLink(wait.elementId, wait.name ?? null), wait.messageName ? ` · message ${wait.messageName}` : '', wait.type ? ` · ${wait.type}` : '')))
          : el('p', { class: 'oms-muted' }, ENDED.has(instance.status) ? tr('Nothing: the instance has ended') : tr('Nothing right now')),
      ),
      el('section', { class: 'oms-card' },
        el('h2', {}, tr('Variables')),
        this.variablesTable(instance.variables ?? {}),
      ),
      el('section', { class: 'oms-card oms-wide' },
        el('h2', {}, trf('Incidents ({count} open)', { count: instance.incidents.filter((incident) => incident.status === 'open').length })),
        this.incidentsTable(instance),
      ),
      el('section', { class: 'oms-card oms-wide' },
        el('h2', {}, tr('History')),
        this.historyTable(instance),
      ),
    );
  }

  private variablesTable(variables: Record<string, unknown>): HTMLElement {
    const names = Object.keys(variables).sort();
    if (names.length === 0) return el('p', { class: 'oms-muted' }, tr('No variables'));
    return el('table', { class: 'oms-table', 'data-testid': 'variables' },
      el('tbody', {}, ...names.map((name) => {
        const value = variables[name];
        return el('tr', {}, el('th', {}, name), el('td', {}, el('code', {}, typeof value === 'string' ? value : JSON.stringify(value))));
      })),
    );
  }

  private historyTable(instance: ProcessInstanceView): HTMLElement {
    if (instance.activity.length === 0) return el('p', { class: 'oms-muted' }, tr('No history yet'));
    return el('table', { class: 'oms-table', 'data-testid': 'history' },
      el('thead', {}, el('tr', {}, el('th', {}, tr('Element')), el('th', {}, tr('Type')), el('th', {}, tr('Entered')), el('th', {}, tr('Left')), el('th', {}, tr('Took')))),
      el('tbody', {}, ...instance.activity.map((entry) =>
        el('tr', {},
          el('td', {}, this.elementLink(entry.elementId, entry.name)),
          el('td', {}, entry.elementType.replace(/^bpmn:/, '')),
          el('td', {}, formatTime(entry.enteredAt)),
          el('td', {}, entry.leftAt ? formatTime(entry.leftAt) : el('em', {}, 'still here')),
          el('td', {}, formatDuration(entry.enteredAt, entry.leftAt)),
        ))),
    );
  }

  private incidentsTable(instance: ProcessInstanceView): HTMLElement {
    if (instance.incidents.length === 0) return el('p', { class: 'oms-muted' }, tr('No incidents'));
    return el('table', { class: 'oms-table', 'data-testid': 'incidents' },
      el('thead', {}, el('tr', {}, el('th', {}, tr('Raised')), el('th', {}, tr('Element')), el('th', {}, tr('Error')), el('th', {}, tr('Status')), el('th', {}))),
      el('tbody', {}, ...instance.incidents.map((incident) =>
        el('tr', { class: incident.status === 'open' ? 'oms-row-incident' : '' },
          el('td', {}, formatTime(incident.createdAt)),
          el('td', {}, incident.elementId ? this.elementLink(incident.elementId, null) : ''),
          el('td', {}, el('code', { class: 'oms-error-text' }, incident.message)),
          el('td', {}, incident.status),
          el('td', {}, incident.status === 'open' ? el('button', { type: 'button', class: 'oms-primary', onclick: (event: Event) => this.retry(incident.id, event.currentTarget as HTMLButtonElement) }, tr('Retry')) : ''),
        ))),
    );
  }

  private elementLink(elementId: string, name: string | null): HTMLElement {
    const registry = this.viewer.get<ElementRegistry>('elementRegistry');
    const label = name || (registry.get(elementId) as Element | undefined)?.businessObject?.name || elementId;
    return el('a', { href: `#${elementId}`, class: 'oms-element-link', title: elementId, onclick: (event: Event) => {
      event.preventDefault();
      this.focus(elementId);
    } }, label);
  }

  private focus(elementId: string): void {
    const element = this.viewer.get<ElementRegistry>('elementRegistry').get(elementId);
    if (!element) return;
    this.viewer.get<Canvas>('canvas').scrollToElement(element);
    this.viewer.get<{ select(element: unknown): void }>('selection').select(element);
  }

  private async retry(incidentId: string, button: HTMLButtonElement): Promise<void> {
    button.disabled = true;
    try {
      await api('POST', `/incidents/${encodeURIComponent(incidentId)}/retry`);
      notify(tr('Retry scheduled'), 'success');
      await this.load();
    } catch (error) {
      notify(describeError(error), 'error');
      button.disabled = false;
    }
  }
}
