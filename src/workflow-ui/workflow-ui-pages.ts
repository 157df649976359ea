import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot } from '../common/project-root';

/** Where `npm run build:ui` (src/workflow-ui/build-bundles.mjs) writes the bundles. */
export const WORKFLOW_UI_ASSETS_DIR = join(projectRoot(), 'dist', 'workflow-ui');
/** The pages live under /admin so that the admin session cookie (Path=/admin) reaches them. */
export const WORKFLOW_UI_PAGES_PATH = '/admin/workflow-ui';
export const WORKFLOW_UI_ASSETS_PATH = '/workflow-ui/assets';

export const WORKFLOW_UI_PAGES = {
  modeler: 'Modeler',
  instance: 'Process instance',
  tasks: 'Tasks',
} as const;
export type WorkflowUiPage = keyof typeof WORKFLOW_UI_PAGES;

export const isWorkflowUiPage = (name: string): name is WorkflowUiPage => Object.hasOwn(WORKFLOW_UI_PAGES, name);

/**
 * bpmn-js and the properties panel set inline styles; everything else comes from this origin. No inline scripts:
 * the page's data travels in data-* attributes.
 */
export const WORKFLOW_UI_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface PageUser {
  id: string;
  email: string;
  title: string;
  /** The user's back-office language (issue 14); the page's `lang`, which its script reads (browser/shared/i18n.ts). */
  locale?: 'zh-CN' | 'en';
  /** The shop's time zone (settings `timeZone`) the page shows times in, not the browser's (browser/shared/page.ts). */
  timeZone?: string;
}

/** The shell's words in Chinese (English is what the code says). */
const SHELL_ZH: Record<string, string> = {
  Modeler: '流程建模器',
  'Process instance': '流程实例',
  Tasks: '待办任务',
  Instances: '流程实例',
  Incidents: '流程异常',
  Admin: '后台',
  'Sign out': '退出登录',
  'Loading…': '加载中…',
};

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

/** True once the bundles of the page have been built. */
export function bundlesBuilt(page: WorkflowUiPage): boolean {
  return existsSync(join(WORKFLOW_UI_ASSETS_DIR, `${page}.js`)) && existsSync(join(WORKFLOW_UI_ASSETS_DIR, `${page}.css`));
}

/** The HTML shell of a page: the top bar, an empty #app its bundle fills, and who is signed in. */
export function renderPage(page: WorkflowUiPage, user: PageUser): string {
  const locale = user.locale ?? 'zh-CN';
  const t = (text: string) => escapeHtml(locale === 'zh-CN' ? (SHELL_ZH[text] ?? text) : text);
  const nav = (['modeler', 'tasks'] as const)
    .map((target) => `<a href="${WORKFLOW_UI_PAGES_PATH}/${target}"${target === page ? ' aria-current="page"' : ''}>${t(WORKFLOW_UI_PAGES[target])}</a>`)
    .join('');
  return `<!doctype html>
<html lang="${locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${t(WORKFLOW_UI_PAGES[page])} · OMS</title>
<link rel="stylesheet" href="${WORKFLOW_UI_ASSETS_PATH}/${page}.css">
<script src="${WORKFLOW_UI_ASSETS_PATH}/${page}.js" defer></script>
</head>
<body class="oms-ui oms-page-${page}" data-user-id="${escapeHtml(user.id)}" data-user-email="${escapeHtml(user.email)}" data-user-title="${escapeHtml(user.title)}" data-time-zone="${escapeHtml(user.timeZone ?? '')}">
<header class="oms-topbar">
<a class="oms-brand" href="/admin">OMS</a>
<nav>${nav}<a href="/admin/resources/ProcessInstance">${t('Instances')}</a><a href="/admin/resources/Incident">${t('Incidents')}</a><a href="/admin">${t('Admin')}</a></nav>
<span class="oms-user">${escapeHtml(user.title)}</span>
<a class="oms-signout" href="/admin/logout">${t('Sign out')}</a>
</header>
<main id="app"><p class="oms-page oms-muted">${t('Loading…')}</p></main>
</body>
</html>
`;
}

/** What a page answers when `npm run build` has not built the bundles (e.g. only `tsc` ran). */
export function renderNotBuilt(page: WorkflowUiPage): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${WORKFLOW_UI_PAGES[page]} · OMS</title></head>
<body><h1>The workflow pages are not built</h1><p>Run <code>npm run build</code> (or <code>npm run build:ui</code>) and reload.</p></body></html>
`;
}
