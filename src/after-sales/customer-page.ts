import { createHash } from 'node:crypto';
import { SCRIPT } from './customer-page-script';

/**
 * The customer's after-sales page (`/returns/<token>`, issue 6 item 6): one self-contained HTML page, Chinese and
 * English side by side, whose small script calls the public API. The script puts every piece of data in with
 * textContent; the CSP allows only this script and this style (by hash) and, where the browser knows Trusted Types,
 * refuses any HTML string sink outright.
 */

const STYLE = `
  :root { color-scheme: light; --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #0b5fff; --bad: #b3261e; --ok: #1a7f37; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 15px/1.5 -apple-system, "PingFang SC", "Microsoft YaHei", "Noto Sans SC", "Segoe UI", sans-serif; color: var(--ink); background: #f6f8fa; }
  main { max-width: 760px; margin: 0 auto; padding: 16px; }
  section, header { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin-bottom: 16px; }
  h1 { font-size: 22px; margin: 0 0 8px; } h2 { font-size: 17px; margin: 0 0 12px; }
  .en { color: var(--muted); font-weight: normal; }
  .meta { margin: 0; color: var(--muted); }
  table { width: 100%; border-collapse: collapse; }
  th, td { text-align: left; padding: 6px 4px; border-bottom: 1px solid var(--line); vertical-align: top; }
  th { font-size: 13px; color: var(--muted); font-weight: 600; }
  td.num, th.num { text-align: right; }
  label { display: block; margin: 12px 0 4px; font-weight: 600; }
  select, input, textarea { font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; width: 100%; }
  input.qty { width: 90px; text-align: right; }
  textarea { min-height: 80px; }
  button { margin-top: 16px; font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 6px; padding: 10px 18px; cursor: pointer; }
  button:disabled { opacity: 0.6; cursor: default; }
  .notice { border-radius: 8px; padding: 12px 16px; margin-bottom: 16px; background: #ddf4ff; border: 1px solid #54aeff; }
  .notice.bad, .error { color: var(--bad); }
  .notice.bad { background: #ffebe9; border-color: #ff8182; }
  .notice.ok { color: var(--ok); background: #dafbe1; border-color: #4ac26b; }
  .error ul { margin: 4px 0 0; padding-left: 20px; }
  ol.cases { list-style: none; margin: 0; padding: 0; }
  ol.cases > li { border-top: 1px solid var(--line); padding: 12px 0; }
  ol.cases > li:first-child { border-top: 0; padding-top: 0; }
  .case-head { font-weight: 600; }
  .status { display: inline-block; padding: 0 8px; border-radius: 10px; background: #eaeef2; font-size: 13px; margin-left: 6px; }
  ul.plain { margin: 4px 0; padding-left: 20px; }
  ol.history { margin: 6px 0 0; padding-left: 20px; color: var(--muted); font-size: 14px; }
  .photos { margin-top: 8px; }
  .photos button { margin-top: 8px; }
  input[type=file] { border: 0; padding: 4px 0; }
  a { color: var(--accent); overflow-wrap: anywhere; }
  [hidden] { display: none !important; }
`;


const STYLE_HASH = createHash('sha256').update(STYLE).digest('base64');
const SCRIPT_HASH = createHash('sha256').update(SCRIPT).digest('base64');

/** Only this page's own style and script; data from the same origin; no frames, forms posting away, or HTML sinks. */
export const CUSTOMER_PAGE_CSP = [
  "default-src 'none'",
  `script-src 'sha256-${SCRIPT_HASH}'`,
  `style-src 'sha256-${STYLE_HASH}'`,
  "connect-src 'self'",
  "img-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** The headers every answer of /returns/<token> carries: the token is in the address, so no caching and no referrer. */
export const CUSTOMER_PAGE_HEADERS = {
  'Content-Type': 'text/html; charset=utf-8',
  'Content-Security-Policy': CUSTOMER_PAGE_CSP,
  'Cache-Control': 'no-store',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
};

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function htmlDocument(title: string, body: string, script = ''): string {
  return `<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
${script ? `<script>${script}</script>` : ''}
</body>
</html>
`;
}

/** The page of a valid link; the order number is the only data in the HTML itself, the rest comes from the API. */
export function renderCustomerPage(orderNumber: string): string {
  const number = escapeHtml(orderNumber);
  return htmlDocument(
    `售后服务 After-sales · ${orderNumber}`,
    `<header>
  <h1>售后服务 <span class="en" lang="en">After-sales</span></h1>
  <p class="meta">订单 Order <strong id="order-number">${number}</strong> · <span id="order-status"></span> · 下单时间 Placed <span id="order-placed"></span></p>
</header>
<p id="notice" class="notice" role="status" hidden></p>
<div id="content" hidden>
<section>
  <h2>订单商品 <span class="en" lang="en">Items</span></h2>
  <table>
    <thead><tr><th>商品 Item</th><th>SKU</th><th class="num">数量 Qty</th><th class="num">已发货 Shipped</th><th class="num">可申请 Returnable</th></tr></thead>
    <tbody id="lines"></tbody>
  </table>
</section>
<section>
  <h2>物流信息 <span class="en" lang="en">Tracking</span></h2>
  <p id="no-parcels" class="meta">商品发货后，快递公司和运单号将显示在这里。 Once the items ship, the carrier and tracking number show here.</p>
  <ol id="parcels" class="cases"></ol>
</section>
<section>
  <h2>申请售后 <span class="en" lang="en">Request after-sales</span></h2>
  <p id="no-apply" class="meta" hidden>此订单目前没有可申请售后的商品。 Nothing on this order can take an after-sales request now.</p>
  <form id="case-form" novalidate hidden>
    <label for="case-type">售后类型 Type</label>
    <select id="case-type" name="type"></select>
    <label>商品与数量 Items and quantities</label>
    <table>
      <thead><tr><th>商品 Item</th><th class="num">可申请 Returnable</th><th class="num">申请数量 Quantity</th></tr></thead>
      <tbody id="form-lines"></tbody>
    </table>
    <label for="case-reason">原因 Reason</label>
    <input id="case-reason" name="reason" maxlength="500" autocomplete="off">
    <label for="case-description">补充说明 Details <span class="en">(选填 optional)</span></label>
    <textarea id="case-description" name="description" maxlength="4000"></textarea>
    <div id="form-error" class="error" role="alert" hidden></div>
    <button type="submit" id="submit">提交申请 Submit request</button>
  </form>
</section>
<section>
  <h2>售后进度 <span class="en" lang="en">Your requests</span></h2>
  <p id="no-cases" class="meta">暂无售后申请。 No requests yet.</p>
  <ol id="cases" class="cases"></ol>
</section>
</div>`,
    SCRIPT,
  );
}

/** An expired, tampered or unknown link: the same friendly page for all (404). */
export function renderExpiredPage(): string {
  return htmlDocument(
    '链接已失效 Link expired',
    `<section>
  <h1>链接已失效 <span class="en" lang="en">This link has expired</span></h1>
  <p>此售后链接无效或已过期，请联系客服获取新的链接。</p>
  <p class="en" lang="en">This after-sales link is invalid or has expired. Please ask customer service for a new one.</p>
</section>`,
  );
}

/** Too many requests on this link or from this address (429, with Retry-After). */
export function renderBusyPage(retryAfterSeconds: number): string {
  return htmlDocument(
    '请稍后再试 Please wait',
    `<section>
  <h1>请稍后再试 <span class="en" lang="en">Please try again shortly</span></h1>
  <p>请求过于频繁，请 ${retryAfterSeconds} 秒后刷新页面。</p>
  <p class="en" lang="en">Too many requests; reload the page in ${retryAfterSeconds} seconds.</p>
</section>`,
  );
}
