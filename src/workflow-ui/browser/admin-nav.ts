/**
 * Loaded into AdminJS pages (adminJsOptions.assets.scripts). AdminJS follows an action's `redirectUrl` with its
 * client-side router, which cannot show pages it does not know: for the workflow pages (served by Nest, not by
 * AdminJS) this turns that in-app navigation into a normal page load.
 */
const WORKFLOW_PAGES = '/admin/workflow-ui/';

for (const method of ['pushState', 'replaceState'] as const) {
  const original = window.history[method];
  window.history[method] = function (this: History, data: unknown, unused: string, url?: string | URL | null) {
    if (url !== undefined && url !== null) {
      const target = new URL(String(url), window.location.href);
      if (target.origin === window.location.origin && target.pathname.startsWith(WORKFLOW_PAGES)) {
        target.searchParams.delete('refresh'); // AdminJS's "force refresh" marker
        window.location.assign(target.href);
        return;
      }
    }
    return original.call(this, data, unused, url);
  };
}
