/**
 * The web modeler (like Camunda Modeler): bpmn-js with the properties panel (our task types, conditions, timers),
 * live lint, token simulation, drafts and deploy through the workflow API.
 */
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import 'bpmn-js-token-simulation/assets/css/bpmn-js-token-simulation.css';
import '../shared/ui.css';
import './modeler.css';

import lintModule from 'bpmn-js-bpmnlint';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import TokenSimulationModule from 'bpmn-js-token-simulation';
import Modeler from 'bpmn-js/lib/Modeler';
import type { Element, ModdleElement } from 'bpmn-js/lib/model/Types';
import type Canvas from 'diagram-js/lib/core/Canvas';
import type ElementRegistry from 'diagram-js/lib/core/ElementRegistry';
import type EventBus from 'diagram-js/lib/core/EventBus';
import zeebeDescriptor from 'zeebe-bpmn-moddle/resources/zeebe.json';
import { moddleExtensions } from '../../../workflow/bpmn/moddle-extensions';
import { api, ApiError, describeError } from '../shared/api';
import { clear, el, fitDiagram, formatTime, notify, queryParam, required, start } from '../shared/page';
import type { TaskTypeInfo, WorkflowSummary } from '../shared/types';
import { deploy, listWorkflows, loadVersion, type Opened, openDiagram, removeLocalDraft, saveDraft } from './diagram-source';
import { type LintIssue, lintBundle } from './lint';
import { OmsPropertiesProviderModule } from './oms-properties-provider';
import { translateModule } from './bpmn-translate';
import { pageLanguage, tr, trf } from '../shared/i18n';

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

interface Problem {
  elementId: string;
  message: string;
  severity: 'error' | 'warning';
  source: string;
}

interface Selection {
  select(element: Element | Element[]): void;
}

declare global {
  interface Window {
    /** The bpmn-js modeler, for debugging and the browser tests. */
    bpmnModeler?: Modeler;
  }
}

start(async () => {
  const root = required<HTMLElement>('#app');
  const key = queryParam('key');
  if (!key) return renderPicker(root);
  if (!KEY_PATTERN.test(key)) throw new Error(`"${key}" is not a workflow key (1-100 letters, digits, _ . -)`);
  const requested = queryParam('version');
  const [taskTypes, workflows] = await Promise.all([api<TaskTypeInfo[]>('GET', '/workflows/task-types'), listWorkflows()]);
  const page = new ModelerPage(root, key, taskTypes, workflows.find((workflow) => workflow.key === key) ?? null);
  await page.open(requested && /^\d+$/.test(requested) ? Number(requested) : null);
});

class ModelerPage {
  private readonly modeler: Modeler;
  private readonly status: HTMLElement;
  private readonly problemsList: HTMLElement;
  private readonly problemsCount: HTMLElement;
  private readonly versionSelect: HTMLSelectElement;
  private opened: Opened | null = null;
  private dirty = false;
  private lintProblems: Problem[] = [];
  private serverProblems: Problem[] = [];
  private busy = false;

  constructor(
    root: HTMLElement,
    private readonly key: string,
    taskTypes: TaskTypeInfo[],
    private summary: WorkflowSummary | null,
  ) {
    document.title = `${key} · Modeler · OMS`;
    this.status = el('span', { class: 'oms-status', 'data-testid': 'diagram-status' });
    this.versionSelect = el('select', { 'aria-label': tr('Open a deployed version'), onchange: () => this.openSelectedVersion() });
    this.problemsCount = el('span', { class: 'oms-count', 'data-testid': 'problem-count' }, '0');
    this.problemsList = el('ul', { class: 'oms-problem-list', 'data-testid': 'problems' });
    const canvas = el('div', { class: 'oms-canvas', id: 'canvas' });
    const properties = el('aside', { class: 'oms-properties', id: 'properties', 'aria-label': tr('Properties') });

    clear(root);
    root.append(
      el('div', { class: 'oms-modeler' },
        el('div', { class: 'oms-toolbar' },
          el('h1', {}, key),
          this.status,
          this.versionSelect,
          el('span', { class: 'oms-spacer' }),
          el('button', { type: 'button', 'data-action': 'simulate', title: tr('Play tokens through the diagram (no data is changed)'), onclick: () => this.toggleSimulation() }, tr('Token simulation')),
          el('button', { type: 'button', 'data-action': 'download', onclick: () => this.download() }, tr('Download .bpmn')),
          el('button', { type: 'button', 'data-action': 'save-draft', onclick: () => this.saveDraft() }, tr('Save draft')),
          el('button', { type: 'button', class: 'oms-primary', 'data-action': 'deploy', onclick: () => this.deploy() }, tr('Deploy')),
        ),
        el('div', { class: 'oms-workspace' }, canvas, properties),
        el('section', { class: 'oms-problems', 'aria-label': tr('Problems') },
          el('header', {}, tr('Problems '), this.problemsCount),
          this.problemsList,
        ),
      ),
    );

    this.modeler = new Modeler({
      container: canvas,
      propertiesPanel: { parent: properties, layout: { groups: { general: { open: true }, timer: { open: true } } } },
      linting: { bpmnlint: lintBundle(new Set(taskTypes.map((taskType) => taskType.type))), active: true },
      omsTaskTypes: taskTypes,
      additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, OmsPropertiesProviderModule, lintModule, TokenSimulationModule, translateModule(pageLanguage())],
      moddleExtensions: { oms: moddleExtensions.oms, zeebe: zeebeDescriptor },
    });
    window.bpmnModeler = this.modeler;

    const events = this.modeler.get<EventBus>('eventBus');
    events.on('import.parse.complete', (event: { definitions?: ModdleElement }) => {
      if (event.definitions) linkFlowsToNodes(event.definitions);
    });
    // an import clears the command stack (trigger 'clear'): that is not a change
    events.on('commandStack.changed', (event: { trigger?: string }) => {
      if (event.trigger !== 'clear') this.setDirty(true);
    });
    // what the server refused is shown until the element is changed (or the next deploy)
    events.on('elements.changed', (event: { elements: Element[] }) => {
      const changed = new Set(event.elements.map((element) => element.id));
      if (this.serverProblems.some((problem) => changed.has(problem.elementId))) {
        this.setServerProblems(this.serverProblems.filter((problem) => !changed.has(problem.elementId)));
      }
    });
    events.on('linting.completed', (event: { issues: Record<string, LintIssue[]> }) => {
      this.lintProblems = Object.values(event.issues)
        .flat()
        .map((issue) => ({
          elementId: issue.actualElementId ?? issue.id,
          message: issue.message,
          severity: issue.category === 'warn' || issue.category === 'info' ? ('warning' as const) : ('error' as const),
          source: `lint: ${issue.rule}`,
        }));
      this.renderProblems();
    });
    window.addEventListener('beforeunload', (event) => {
      if (this.dirty) event.preventDefault();
    });
    this.renderVersions();
  }

  async open(version: number | null): Promise<void> {
    const opened = await openDiagram(this.key, this.summary?.latestVersion ?? null, version);
    await this.show(opened);
  }

  private async show(opened: Opened): Promise<void> {
    const { warnings } = await this.modeler.importXML(opened.xml);
    this.opened = opened;
    this.serverProblems = warnings.length ? [{ elementId: '', message: `${warnings.length} part(s) of the XML could not be read and were left out`, severity: 'warning', source: 'import' }] : [];
    fitDiagram(this.modeler.get<Canvas>('canvas'));
    this.setDirty(false);
    this.renderProblems();
  }

  private setDirty(dirty: boolean): void {
    this.dirty = dirty;
    const opened = this.opened;
    let text = '';
    if (!opened) text = 'loading…';
    else if (opened.kind === 'version') text = `version ${opened.version} · deployed ${formatTime(opened.deployedAt)} by ${opened.deployedBy}`;
    else if (opened.kind === 'draft') {
      text = `draft · saved ${formatTime(opened.updatedAt)} by ${opened.updatedBy}${opened.where === 'browser' ? ' in this browser' : ''}`;
      if (opened.basedOn) text += ` · v${opened.basedOn} is deployed`;
    } else text = 'new diagram · not deployed yet';
    this.status.textContent = dirty ? `${text} · unsaved changes` : text;
    this.status.classList.toggle('oms-dirty', dirty);
  }

  private renderVersions(): void {
    clear(this.versionSelect);
    const latest = this.summary?.latestVersion ?? 0;
    this.versionSelect.append(el('option', { value: '' }, latest ? tr('Open version…') : tr('No version deployed')));
    for (let version = latest; version >= 1; version--) this.versionSelect.append(el('option', { value: version }, `v${version}`));
    this.versionSelect.disabled = latest === 0;
  }

  private async openSelectedVersion(): Promise<void> {
    const version = Number(this.versionSelect.value);
    this.versionSelect.value = '';
    if (!version) return;
    if (this.dirty && !window.confirm(trf('Discard the unsaved changes and open version {version}?', { version }))) return;
    try {
      const loaded = await loadVersion(this.key, version);
      await this.show({ kind: 'version', xml: loaded.xml, version: loaded.version, deployedAt: loaded.deployedAt, deployedBy: loaded.deployedBy });
    } catch (error) {
      notify(describeError(error), 'error');
    }
  }

  private async xml(): Promise<string> {
    const { xml } = await this.modeler.saveXML({ format: true });
    if (!xml) throw new Error('the diagram could not be written as XML');
    return xml;
  }

  private async saveDraft(): Promise<void> {
    await this.run(async () => {
      const xml = await this.xml();
      const saved = await saveDraft(this.key, xml);
      this.opened = { kind: 'draft', xml, where: saved.where, updatedAt: saved.updatedAt, updatedBy: document.body.dataset.userEmail ?? '', basedOn: this.summary?.latestVersion ?? null };
      this.setDirty(false);
      notify(saved.where === 'server' ? tr('Draft saved') : 'Draft saved in this browser (the server has no draft storage yet)', 'success');
    });
  }

  private async deploy(): Promise<void> {
    await this.run(async () => {
      this.setServerProblems([]);
      const xml = await this.xml();
      let result;
      try {
        result = await deploy(this.key, xml);
      } catch (error) {
        // 422: the diagram has problems; 403: it uses task types whose permissions the user lacks (each named on its task)
        if (error instanceof ApiError && (error.status === 422 || error.status === 403)) {
          this.setServerProblems(error.details.map((detail) => ({ elementId: detail.path, message: detail.message, severity: 'error', source: 'server' })));
          this.focusFirstProblem();
          notify(error.status === 403 ? trf('Not deployed: {message}', { message: error.message }) : trf('Not deployed: {count} problem(s), listed below', { count: error.details.length || '?' }), 'error');
          return;
        }
        throw error;
      }
      this.setServerProblems((result.warnings ?? []).map((warning) => ({ elementId: warning.path, message: warning.message, severity: 'warning', source: 'server' })));
      const isNew = result.version > (this.summary?.latestVersion ?? 0);
      this.summary = { key: this.key, name: this.summary?.name ?? this.key, latestVersion: Math.max(result.version, this.summary?.latestVersion ?? 0) };
      this.opened = { kind: 'version', xml, version: result.version, deployedAt: result.deployedAt, deployedBy: document.body.dataset.userEmail ?? '' };
      removeLocalDraft(this.key);
      this.renderVersions();
      this.setDirty(false);
      const url = new URL(window.location.href);
      url.searchParams.delete('version');
      window.history.replaceState(null, '', url);
      notify(isNew ? trf('Deployed as version {version}', { version: result.version }) : trf('Nothing new: the diagram is identical to version {version}', { version: result.version }), 'success');
    });
  }

  private async run(action: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    document.body.classList.add('oms-busy');
    try {
      await action();
    } catch (error) {
      notify(describeError(error), 'error');
    } finally {
      this.busy = false;
      document.body.classList.remove('oms-busy');
    }
  }

  private async download(): Promise<void> {
    await this.run(async () => {
      const link = el('a', { href: URL.createObjectURL(new Blob([await this.xml()], { type: 'application/xml' })), download: `${this.key}.bpmn` });
      link.click();
      URL.revokeObjectURL(link.href);
    });
  }

  private toggleSimulation(): void {
    this.modeler.get<{ toggleMode(active?: boolean): void }>('toggleMode').toggleMode();
  }

  private setServerProblems(problems: Problem[]): void {
    const canvas = this.modeler.get<Canvas>('canvas');
    const registry = this.modeler.get<ElementRegistry>('elementRegistry');
    const marked = (list: Problem[]) => list.filter((problem) => problem.severity === 'error' && registry.get(problem.elementId));
    for (const problem of marked(this.serverProblems)) canvas.removeMarker(problem.elementId, 'oms-problem');
    this.serverProblems = problems;
    for (const problem of marked(problems)) canvas.addMarker(problem.elementId, 'oms-problem');
    this.renderProblems();
  }

  private focusFirstProblem(): void {
    const first = this.serverProblems.find((problem) => this.modeler.get<ElementRegistry>('elementRegistry').get(problem.elementId));
    if (first) this.focusElement(first.elementId);
  }

  private focusElement(elementId: string): void {
    const element = this.modeler.get<ElementRegistry>('elementRegistry').get(elementId) as Element | undefined;
    if (!element) return;
    this.modeler.get<Canvas>('canvas').scrollToElement(element);
    this.modeler.get<Selection>('selection').select(element);
  }

  private renderProblems(): void {
    const registry = this.modeler.get<ElementRegistry>('elementRegistry');
    // the server lints with the same rules: a warning it returns that live lint shows already is not listed twice
    const sameAsLint = (problem: Problem) => this.lintProblems.some((lint) => lint.elementId === problem.elementId && lint.message === problem.message);
    const server = this.serverProblems.filter((problem) => problem.severity === 'error' || !sameAsLint(problem));
    const problems = [...server, ...this.lintProblems].sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : 1));
    this.problemsCount.textContent = String(problems.length);
    this.problemsCount.className = `oms-count${problems.some((problem) => problem.severity === 'error') ? ' oms-count-error' : ''}`;
    clear(this.problemsList);
    if (problems.length === 0) this.problemsList.append(el('li', { class: 'oms-problem-none' }, tr('No problems')));
    for (const problem of problems) {
      const element = registry.get(problem.elementId) as Element | undefined;
      const label = element ? `${element.businessObject?.name ? `${element.businessObject.name} ` : ''}(${problem.elementId})` : problem.elementId || 'diagram';
      this.problemsList.append(
        el('li', { class: `oms-problem oms-problem-${problem.severity}`, 'data-element-id': problem.elementId, 'data-source': problem.source === 'server' ? 'server' : 'lint', tabindex: 0, onclick: () => this.focusElement(problem.elementId) },
          el('span', { class: 'oms-severity' }, problem.severity),
          el('span', { class: 'oms-problem-element' }, label),
          el('span', { class: 'oms-problem-message' }, problem.message),
          el('span', { class: 'oms-problem-source' }, problem.source),
        ),
      );
    }
  }
}

/**
 * Diagrams written by hand or by some tools give only `sourceRef`/`targetRef` on sequence flows and leave out the
 * nodes' `<incoming>`/`<outgoing>`; bpmnlint then reports every node as disconnected. Filling them in from the flows
 * on import makes lint see the diagram as drawn, and the next save writes them out.
 */
function linkFlowsToNodes(definitions: ModdleElement): void {
  const visit = (container: ModdleElement) => {
    for (const element of (container.flowElements ?? []) as ModdleElement[]) {
      if (element.$type === 'bpmn:SequenceFlow') {
        const { sourceRef: source, targetRef: target } = element;
        if (source && !source.get('outgoing').includes(element)) source.get('outgoing').push(element);
        if (target && !target.get('incoming').includes(element)) target.get('incoming').push(element);
      }
      if (element.flowElements) visit(element);
    }
  };
  for (const root of (definitions.rootElements ?? []) as ModdleElement[]) if (root.$type === 'bpmn:Process') visit(root);
}

async function renderPicker(root: HTMLElement): Promise<void> {
  document.title = tr('Modeler · OMS');
  const workflows = await listWorkflows();
  // the same rule as KEY_PATTERN, written for the pattern attribute (matched in the regular expressions' `v` mode)
  const keyInput = el('input', { name: 'key', required: true, pattern: '[A-Za-z0-9][A-Za-z0-9_.\\-]{0,99}', placeholder: tr('e.g. after-sales'), 'aria-label': tr('New workflow key') });
  clear(root);
  root.append(
    el('div', { class: 'oms-page' },
      el('h1', {}, tr('Workflows')),
      el('table', { class: 'oms-table' },
        el('thead', {}, el('tr', {}, el('th', {}, tr('Key')), el('th', {}, tr('Name')), el('th', {}, tr('Latest version')), el('th', {}))),
        el('tbody', {}, ...workflows.map((workflow) =>
          el('tr', {},
            el('td', {}, workflow.key),
            el('td', {}, workflow.name),
            el('td', {}, `v${workflow.latestVersion}`),
            el('td', {}, el('a', { href: `?key=${encodeURIComponent(workflow.key)}` }, tr('Open in modeler'))),
          ),
        )),
      ),
      el('h2', {}, tr('New workflow')),
      el('form', { class: 'oms-inline-form', onsubmit: (event: Event) => {
        event.preventDefault();
        window.location.assign(`?key=${encodeURIComponent(keyInput.value.trim())}`);
      } }, keyInput, el('button', { type: 'submit', class: 'oms-primary' }, tr('Create'))),
    ),
  );
}
