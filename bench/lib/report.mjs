import { sleep } from './processes.mjs';

/** Polls `check` until it answers truthy (true) or `timeoutMs` passes (false). */
export async function waitFor(check, timeoutMs, everyMs = 200) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > until) return false;
    await sleep(everyMs);
  }
}

/**
 * A JSON client of the app's API: throws on any status ≥ 300. `base` is the app's URL, or a function giving the current
 * app's (a bench restarts apps); `token()` gives the bearer token (or nothing yet).
 */
export function jsonApi(base, token) {
  return async (method, path, body) => {
    const bearer = token();
    const res = await fetch(`${typeof base === 'function' ? base() : base}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(bearer ? { authorization: `Bearer ${bearer}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = await res.json().catch(() => null);
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/** The result table every bench ends with: one row per measure, columns padded. */
export function printTable(header, rows) {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((cell, i) => String(cell).padEnd(widths[i])).join('  ').trimEnd();
  console.log(`\n${line(header)}\n${widths.map((w) => '─'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(line(r));
}
