import { createHash } from 'node:crypto';

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
  [hidden] { display: none !important; }
`;

const SCRIPT = `
(function () {
  'use strict';
  var TYPES = { return: '退货退款 Return', exchange: '换货 Exchange', refund_only: '仅退款 Refund only', lost: '包裹丢失 Lost parcel',
    damaged: '商品破损 Damaged goods', wrong_item: '发错商品 Wrong item', missing_item: '少发漏发 Missing item' };
  var STATUSES = { requested: '已申请 Requested', approved: '已同意 Approved', rejected: '已拒绝 Rejected', received: '已收到退货 Received',
    inspected: '已质检 Inspected', refunded: '已退款 Refunded', replacement_shipped: '已补发 Replacement shipped', closed: '已完结 Closed',
    pending_payment: '待付款 Awaiting payment', pending_review: '审核中 Being reviewed', exception: '处理中 Being handled',
    awaiting_stock: '备货中 Awaiting stock', awaiting_shipment: '待发货 Awaiting shipment', partially_shipped: '部分发货 Partly shipped',
    shipped: '已发货 Shipped', delivered: '已签收 Delivered', completed: '已完成 Completed', cancelled: '已取消 Cancelled' };
  var parts = location.pathname.split('/');
  var api = '/api/public/orders/' + encodeURIComponent(decodeURIComponent(parts[parts.length - 1] || ''));
  var state = { lines: [] };

  function byId(id) { return document.getElementById(id); }
  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function when(iso) {
    var date = new Date(iso);
    return isNaN(date.getTime()) ? String(iso) : date.toLocaleString('zh-CN', { hour12: false });
  }
  function notice(text, kind) {
    var box = byId('notice');
    box.textContent = text;
    box.className = 'notice' + (kind ? ' ' + kind : '');
    box.hidden = !text;
  }
  function call(method, path, body) {
    var options = { method: method, headers: { Accept: 'application/json' }, credentials: 'omit', cache: 'no-store' };
    if (body) { options.headers['Content-Type'] = 'application/json'; options.body = JSON.stringify(body); }
    return fetch(api + path, options).then(function (response) {
      return response.json().then(function (data) { return data; }, function () { return null; }).then(function (data) {
        return { status: response.status, data: data, retryAfter: response.headers.get('Retry-After') };
      });
    });
  }
  /** The answers every call shares: the link is gone, or the customer is too quick. */
  function refused(result) {
    if (result.status === 404) {
      byId('content').hidden = true;
      notice('此链接已失效，请联系客服获取新链接。 This link has expired; ask customer service for a new one.', 'bad');
      return true;
    }
    if (result.status === 429) {
      notice('请求过于频繁，请 ' + (result.retryAfter || 60) + ' 秒后再试。 Too many requests; try again in ' + (result.retryAfter || 60) + ' s.', 'bad');
      return true;
    }
    return false;
  }

  function load() {
    return call('GET', '').then(function (result) {
      if (refused(result)) return;
      if (result.status !== 200 || !result.data) { notice('暂时无法加载，请稍后再试。 The page could not be loaded; try again later.', 'bad'); return; }
      render(result.data);
    }, function () { notice('网络错误，请稍后再试。 Network error; try again later.', 'bad'); });
  }

  function render(data) {
    var order = data.order;
    byId('order-number').textContent = order.number;
    byId('order-status').textContent = STATUSES[order.status] || order.status;
    byId('order-placed').textContent = when(order.placedAt);
    var rows = byId('lines');
    clear(rows);
    order.lines.forEach(function (line) {
      var row = el('tr');
      row.appendChild(el('td', line.name));
      row.appendChild(el('td', line.sku));
      row.appendChild(el('td', line.quantity, 'num'));
      row.appendChild(el('td', line.shipped, 'num'));
      row.appendChild(el('td', line.returnable, 'num'));
      rows.appendChild(row);
    });
    renderForm(order, data.caseTypes);
    renderCases(data.cases);
    byId('content').hidden = false;
  }

  function renderForm(order, caseTypes) {
    var bySku = {};
    state.lines = [];
    order.lines.forEach(function (line) {
      if (!bySku[line.sku]) { bySku[line.sku] = { sku: line.sku, name: line.name, returnable: 0 }; state.lines.push(bySku[line.sku]); }
      bySku[line.sku].returnable += line.returnable;
    });
    var open = caseTypes.length > 0 && state.lines.some(function (line) { return line.returnable > 0; });
    byId('case-form').hidden = !open;
    byId('no-apply').hidden = open;
    var select = byId('case-type');
    var chosen = select.value;
    clear(select);
    caseTypes.forEach(function (type) {
      var option = el('option', TYPES[type] || type);
      option.value = type;
      select.appendChild(option);
    });
    if (caseTypes.indexOf(chosen) >= 0) select.value = chosen;
    var rows = byId('form-lines');
    clear(rows);
    state.lines.forEach(function (line, index) {
      var row = el('tr');
      var name = el('td', line.name);
      name.appendChild(el('div', line.sku, 'en'));
      row.appendChild(name);
      row.appendChild(el('td', line.returnable, 'num'));
      var cell = el('td', null, 'num');
      var input = el('input', null, 'qty');
      input.type = 'number';
      input.min = '0';
      input.max = String(line.returnable);
      input.step = '1';
      input.value = '0';
      input.id = 'qty-' + index;
      input.disabled = line.returnable === 0;
      input.setAttribute('aria-label', '申请数量 Quantity: ' + line.name);
      cell.appendChild(input);
      row.appendChild(cell);
      rows.appendChild(row);
    });
  }

  function renderCases(cases) {
    var list = byId('cases');
    clear(list);
    byId('no-cases').hidden = cases.length > 0;
    cases.forEach(function (item) {
      var entry = el('li');
      var head = el('div', item.number + ' · ' + (TYPES[item.type] || item.type), 'case-head');
      head.appendChild(el('span', STATUSES[item.status] || item.status, 'status'));
      entry.appendChild(head);
      entry.appendChild(el('div', '提交于 Opened ' + when(item.createdAt) + ' · 更新于 Updated ' + when(item.updatedAt), 'meta'));
      var lines = el('ul', null, 'plain');
      item.lines.forEach(function (line) { lines.appendChild(el('li', line.name + ' (' + line.sku + ') × ' + line.quantity)); });
      entry.appendChild(lines);
      var history = el('ol', null, 'history');
      item.history.forEach(function (step) {
        history.appendChild(el('li', when(step.at) + ' — ' + (STATUSES[step.to] || step.to) + (step.note ? ': ' + step.note : '')));
      });
      entry.appendChild(history);
      list.appendChild(entry);
    });
  }

  function formProblem(lines) {
    var box = byId('form-error');
    clear(box);
    box.hidden = lines.length === 0;
    if (!lines.length) return;
    box.appendChild(el('div', lines[0]));
    if (lines.length > 1) {
      var list = el('ul');
      lines.slice(1).forEach(function (line) { list.appendChild(el('li', line)); });
      box.appendChild(list);
    }
  }

  byId('case-form').addEventListener('submit', function (event) {
    event.preventDefault();
    var lines = [];
    var problems = [];
    state.lines.forEach(function (line, index) {
      var raw = byId('qty-' + index).value.trim();
      var quantity = raw === '' ? 0 : Number(raw);
      if (!Number.isInteger(quantity) || quantity < 0) problems.push(line.name + ': 请填写整数 enter a whole number');
      else if (quantity > line.returnable) problems.push(line.name + ': 最多 ' + line.returnable + ' at most ' + line.returnable);
      else if (quantity > 0) lines.push({ sku: line.sku, quantity: quantity });
    });
    var reason = byId('case-reason').value.trim();
    var description = byId('case-description').value.trim();
    if (!lines.length && !problems.length) problems.push('请至少为一件商品填写数量。 Enter a quantity for at least one item.');
    if (!reason) problems.push('请填写原因。 Please give a reason.');
    formProblem(problems.length ? ['请检查以下内容 Please check:'].concat(problems) : []);
    if (problems.length) return;
    var body = { type: byId('case-type').value, lines: lines, reason: reason };
    if (description) body.description = description;
    var button = byId('submit');
    button.disabled = true;
    call('POST', '/after-sales', body).then(function (result) {
      button.disabled = false;
      if (refused(result)) return;
      if (result.status === 201 || result.status === 200) {
        byId('case-form').reset();
        notice((result.status === 201 ? '申请已提交，售后单号 Request submitted, case ' : '此申请已提交过，售后单号 Already submitted, case ') + result.data.number, 'ok');
        return load();
      }
      var error = (result.data && result.data.error) || {};
      var details = (error.details || []).map(function (detail) { return detail.path + ': ' + detail.message; });
      formProblem(['未能提交 Not submitted: ' + (error.message || ('HTTP ' + result.status))].concat(details));
    }, function () {
      button.disabled = false;
      formProblem(['网络错误，请稍后再试。 Network error; try again later.']);
    });
  });

  load();
})();
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
