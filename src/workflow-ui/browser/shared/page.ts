/** Small DOM helpers shared by the pages. Text always goes in through textContent, never innerHTML. */

export interface CurrentUser {
  id: string;
  email: string;
  title: string;
}

/** Who is signed in, as the server wrote it into the page (data-user-* on <body>). */
export function currentUser(): CurrentUser {
  const data = document.body.dataset;
  return { id: data.userId ?? '', email: data.userEmail ?? '', title: data.userTitle ?? data.userEmail ?? '' };
}

type Child = Node | string | number | null | undefined | false;
type Attributes = Record<string, string | number | boolean | null | undefined | EventListener>;

/** `el('button', { class: 'x', onclick: fn }, 'Save')`; null/false attributes and children are left out. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (typeof value === 'function') element.addEventListener(name.replace(/^on/, ''), value);
    else if (value === true) element.setAttribute(name, '');
    else element.setAttribute(name, String(value));
  }
  append(element, ...children);
  return element;
}

export function append(parent: Node, ...children: Child[]): void {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
}

export function clear(element: Element): void {
  while (element.firstChild) element.removeChild(element.firstChild);
}

export function required<T extends Element>(selector: string, root: ParentNode = document): T {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`the page has no ${selector}`);
  return found;
}

export function queryParam(name: string): string | null {
  return new URLSearchParams(window.location.search).get(name);
}

/** A time in the page's language and the shop's time zone (the shell's `data-time-zone`), not the browser's. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  const timeZone = document.body.dataset.timeZone || undefined;
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(document.documentElement.lang || undefined, { timeZone });
}

export function formatDuration(fromIso: string | null, toIso: string | null): string {
  if (!fromIso || !toIso) return '';
  const ms = Date.parse(toIso) - Date.parse(fromIso);
  if (!Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}

export type NoticeKind = 'info' | 'success' | 'error';

/** A message in the page's notice bar (role=status, so screen readers and tests can find it). */
export function notify(message: string, kind: NoticeKind = 'info'): void {
  let bar = document.getElementById('oms-notice');
  if (!bar) {
    bar = el('div', { id: 'oms-notice', role: 'status', 'aria-live': 'polite' });
    document.body.appendChild(bar);
  }
  bar.className = `oms-notice oms-notice-${kind}`;
  bar.textContent = message;
  bar.hidden = false;
  window.clearTimeout(Number(bar.dataset.timer));
  if (kind !== 'error') bar.dataset.timer = String(window.setTimeout(() => bar && (bar.hidden = true), 8000));
}

/**
 * Runs a page's start-up once the DOM is there, and shows a failure instead of a blank page. Always after the bundle
 * has run to its end, so the page's classes (declared below the call) exist.
 */
export function start(main: () => Promise<void>): void {
  const run = () =>
    main().catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      notify(message, 'error');
      document.body.dataset.failed = message;
    });
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run, { once: true });
  else queueMicrotask(run);
}

/** Zooms a bpmn-js canvas to show the whole diagram, centred (diagram-js accepts 'auto'; its typings miss it). */
export function fitDiagram(canvas: { zoom(scale: 'fit-viewport', center?: unknown): number }): void {
  canvas.zoom('fit-viewport', 'auto');
}
