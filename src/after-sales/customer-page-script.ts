/**
 * The customer page's script (customer-page.ts serves it with its hash in the CSP): it calls the public API and puts every
 * piece of data in with textContent. The customer sees their order, its parcels, their cases in words meant for them.
 */
import { MAX_ATTACHMENT_BYTES } from './after-sales.service';

export const SCRIPT = `
(function () {
  'use strict';
  var TYPES = { return: '退货退款 Return', exchange: '换货 Exchange', refund_only: '仅退款 Refund only', lost: '包裹丢失 Lost parcel',
    damaged: '商品破损 Damaged goods', wrong_item: '发错商品 Wrong item', missing_item: '少发漏发 Missing item' };
  var STATUSES = { requested: '已申请 Requested', approved: '已同意 Approved', rejected: '已拒绝 Rejected', received: '已收到退货 Received',
    inspected: '已质检 Inspected', refunded: '已退款 Refunded', replacement_shipped: '已补发 Replacement shipped', closed: '已完结 Closed',
    pending_payment: '待付款 Awaiting payment', pending_review: '审核中 Being reviewed', exception: '处理中 Being handled',
    awaiting_stock: '备货中 Awaiting stock', awaiting_shipment: '待发货 Awaiting shipment', partially_shipped: '部分发货 Partly shipped',
    shipped: '已发货 Shipped', delivered: '已签收 Delivered', completed: '已完成 Completed', cancelled: '已取消 Cancelled' };
  // G5.5: what each step means for the customer; never the staff's notes
  var STEPS = { requested: '已提交申请，等待客服审核 Request received; customer service will review it',
    approved: '客服已同意您的申请 Your request was approved', rejected: '很抱歉，您的申请未通过 Your request was not approved',
    received: '我们已收到您寄回的商品 We received the items you sent back', inspected: '寄回的商品已检验 The returned items were checked',
    refunded: '退款已原路退回 Your refund was issued', replacement_shipped: '换货商品已寄出 Your replacement is on its way',
    closed: '售后已完成 Completed' };
  var PARCEL = { allocated: '待发货 Preparing', picking: '待发货 Preparing', packed: '待发货 Preparing', shipped: '已发货 Shipped',
    in_transit: '运输中 In transit', out_for_delivery: '派送中 Out for delivery', delivered: '已签收 Delivered',
    exception: '派送异常 Delivery problem', returned: '已退回 Returned' };
  var PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
  var MAX_PHOTO_BYTES = ${MAX_ATTACHMENT_BYTES};
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
    renderParcels(data.parcels || []);
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
      entry.appendChild(el('div', '申请原因 Reason: ' + item.reason, 'meta'));
      var history = el('ol', null, 'history');
      item.history.forEach(function (step) {
        var text = when(step.at) + ' — ' + (STEPS[step.to] || STATUSES[step.to] || step.to);
        // a rejection's reason is the one note meant for the customer (it is in the message they were sent)
        if (step.to === 'rejected' && step.note) text += '。原因 Reason: ' + step.note;
        history.appendChild(el('li', text));
      });
      entry.appendChild(history);
      entry.appendChild(photoBox(item));
      list.appendChild(entry);
    });
  }

  function renderParcels(parcels) {
    var list = byId('parcels');
    clear(list);
    byId('no-parcels').hidden = parcels.length > 0;
    parcels.forEach(function (parcel) {
      var entry = el('li');
      var head = el('div', parcel.carrierName + ' · 运单号 ' + parcel.trackingNumber, 'case-head');
      head.appendChild(el('span', PARCEL[parcel.status] || parcel.status, 'status'));
      entry.appendChild(head);
      entry.appendChild(el('div', parcel.lines.map(function (line) { return line.name + ' × ' + line.quantity; }).join('，'), 'meta'));
      if (parcel.trackingUrl) {
        var link = el('a', '在快递公司网站查询 Track the parcel');
        link.href = parcel.trackingUrl;
        link.rel = 'noreferrer noopener';
        link.target = '_blank';
        entry.appendChild(link);
      }
      var events = el('ol', null, 'history');
      if (!parcel.events.length) events.appendChild(el('li', '暂无物流轨迹，快递公司更新后将显示在这里。 No tracking updates yet.'));
      parcel.events.forEach(function (event) {
        var where = event.location ? ' ' + event.location : '';
        events.appendChild(el('li', when(event.at) + where + ' — ' + (event.description || PARCEL[event.status] || event.status)));
      });
      entry.appendChild(events);
      list.appendChild(entry);
    });
  }

  /** Photos of the goods or parcel for a case still being handled: checked here for type and size, and again by the server. */
  function photoBox(item) {
    var box = el('div', null, 'photos');
    box.appendChild(el('div', '已上传照片 Photos: ' + item.photos, 'meta'));
    if (!item.acceptsPhotos) return box;
    var id = 'photo-' + item.number;
    var label = el('label', '添加照片（JPG、PNG 或 WebP，不超过 5 MB） Add a photo (JPEG, PNG or WebP, at most 5 MB)');
    label.htmlFor = id;
    var input = el('input');
    input.type = 'file';
    input.id = id;
    input.accept = PHOTO_TYPES.join(',');
    var button = el('button', '上传照片 Upload photo');
    button.type = 'button';
    var problem = el('div', null, 'error');
    problem.setAttribute('role', 'alert');
    button.addEventListener('click', function () {
      var file = input.files && input.files[0];
      problem.textContent = '';
      if (!file) { problem.textContent = '请先选择照片。 Choose a photo first.'; return; }
      if (PHOTO_TYPES.indexOf(file.type) < 0) { problem.textContent = '仅支持 JPG、PNG 或 WebP 格式的照片。 Only JPEG, PNG or WebP photos.'; return; }
      if (file.size > MAX_PHOTO_BYTES) { problem.textContent = '照片不能超过 5 MB。 A photo must be at most 5 MB.'; return; }
      var data = new FormData();
      data.append('file', file, file.name);
      button.disabled = true;
      fetch(api + '/after-sales/' + encodeURIComponent(item.number) + '/photos', { method: 'POST', body: data, headers: { Accept: 'application/json' }, credentials: 'omit', cache: 'no-store' }).then(function (response) {
        button.disabled = false;
        var result = { status: response.status, retryAfter: response.headers.get('Retry-After') };
        if (refused(result)) return;
        if (response.status === 201 || response.status === 200) { notice('照片已上传。 Photo uploaded.', 'ok'); return load(); }
        if (response.status === 413) problem.textContent = '照片不能超过 5 MB。 A photo must be at most 5 MB.';
        else if (response.status === 409) problem.textContent = '此售后申请不能再添加照片。 No more photos can be added to this request.';
        else problem.textContent = '无法识别此照片，请上传完整的 JPG、PNG 或 WebP 照片。 This photo could not be read; upload a whole JPEG, PNG or WebP photo.';
      }, function () {
        button.disabled = false;
        problem.textContent = '网络错误，请稍后再试。 Network error; try again later.';
      });
    });
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(button);
    box.appendChild(problem);
    return box;
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
