import type { ActionForm, FormField } from '../ui-contract';
import type { AdminLanguage } from './index';
import { WAYBILL_NOTICES_ZH } from './waybill-notices';
import { zhCN } from './zh-CN';

/**
 * The action forms (src/admin/actions: amend, allocate, ship, open a case, ...) and the notices after an action are
 * written in English where they are built; for a zh-CN user operator-action.ts passes them through here. Fixed texts are
 * looked up as they are (FORM_TEXTS_ZH: test/unit/admin/admin-locale.spec.ts checks every fixed text of the action files
 * has its entry); texts with a number or a name in them match a pattern. A text found in neither stays English.
 */
export const FORM_TEXTS_ZH: Record<string, string> = {
  // fields
  '(choose)': '（请选择）',
  '(the allocation rules choose)': '（按分仓规则自动选择）',
  'Amount paid': '付款金额',
  'Amount received': '实收金额',
  'Amount to refund': '退款金额',
  Carrier: '快递公司',
  City: '城市',
  Country: '国家/地区',
  'Customer name': '收货人',
  'Delivery notes': '配送备注',
  Description: '问题描述',
  District: '区/县',
  Email: '邮箱',
  'Entry reference': '入库单号',
  'Fail: quarantined, not restocked': '不合格：隔离，不入库',
  'In the case': '售后数量',
  'Lines of the case': '售后商品',
  Lines: '商品明细',
  'Merge with order': '合并到订单',
  Name: '商品名称',
  Note: '备注',
  Notes: '备注',
  Ordered: '下单数量',
  Owner: '负责人',
  'Paid at': '付款时间',
  'Pass: back into stock': '合格：重新入库',
  'Payment method': '支付方式',
  'Payment reference': '支付流水号',
  'Payment status': '付款状态',
  Phone: '手机号',
  'Postal code': '邮编',
  Province: '省份',
  'QC result': '质检结果',
  'Quantity to ship now': '本次发货数量',
  Quantity: '数量',
  Reason: '原因',
  'Received at': '收货仓',
  'Refund reference': '退款流水号',
  SKU: '商品编码',
  'Ship from': '发货仓',
  'Ship now': '本次发货',
  Shipment: '发货单',
  Shipped: '已发货',
  'Shipping fee': '运费',
  'Street address': '详细地址',
  'Tracking number': '快递单号',
  Type: '售后类型',
  'Unit price': '单价',
  'paid: already received': '已付款：已收到货款',
  'pending: waits for the money': '未付款：等待付款',
  // help texts
  '6-40 letters, digits or -': '6-40 个字母、数字或 -',
  'Recorded in the order history; at most 500 characters': '记录在订单处理记录中；最多 500 个字符',
  'a mainland mobile (13800138000), a landline with area code, or +country number': '大陆手机号（13800138000）、带区号的座机，或 +国家代码的号码',
  'at most 1000 characters': '最多 1000 个字符',
  'available units of this order’s SKUs in brackets; empty: the allocation rules choose (or the current warehouse stays)':
    '括号内为本单商品的可用库存；留空：按分仓规则选择（或保留当前仓库）',
  'in the customer’s words; at most 500 characters': '按客户原话填写；最多 500 个字符',
  'leave empty for mainland China': '中国大陆留空',
  'now if empty': '留空为当前时间',
  'orders of the same customer and address, not yet picked': '同一客户、同一地址且尚未拣货的订单',
  'preselected: the warehouse the goods were shipped from': '默认：原发货仓',
  'recorded in the case history': '记录在售后处理记录中',
  'the bank or payment provider’s transaction number': '银行或支付机构的交易流水号',
  'the payment provider’s refund number': '支付机构的退款单号',
  'what customer service saw or was told': '客服看到或客户描述的情况',
  'when paid; the order total if empty': '实付金额；留空为订单金额',
  'who works the case from now; empty: you': '之后由谁处理此售后单；留空：您自己',
  // intros
  'An order taken by phone or in person. It is reviewed like any other: what review finds is flagged on the order.':
    '电话或线下接到的订单。与其他订单一样审单：审单发现的问题会标记在订单上。',
  'Change what the customer confirmed. The order is reviewed again at once: fixed, it goes on by itself; still flagged, it stays held.':
    '按客户确认的内容修改。订单会立即重新审单：问题已解决则自动继续；仍有标记则继续挂起。',
  'Give the quantity of each SKU the case is about; leave the others empty. Customer service reviews the case next.':
    '填写售后涉及的每个商品的数量，其他留空。之后由客服审核售后单。',
  'Reserved stock is released, open shipments are cancelled and the order workflow ends. This cannot be undone.':
    '释放已占用的库存，取消未发出的发货单，订单流程结束。此操作无法撤销。',
  'The goods are boxed and the documents printed; the stock leaves the warehouse when the carrier takes the parcel.':
    '商品已装箱、单据已打印；快递揽收后库存出库。',
  'The order moves to exception and waits for a person; the reason is recorded in its history.': '订单转为异常，等待人工处理；原因记录在订单处理记录中。',
  'The shipments of both orders from the same warehouse are picked, packed and shipped as one parcel; each order keeps its own status.':
    '两个订单在同一仓库的发货单将合并拣货、打包并作为一个包裹发出；各订单保留自己的状态。',
  'Nothing comes back and nothing is refunded or sent; the reason is recorded in the case history.': '不退货、不退款也不补发；原因记录在售后处理记录中。',
  'Nothing more happens on the case; its process ends where it stands.': '售后单不再有后续处理；其流程就此结束。',
  // section titles and buttons
  Customer: '收货人',
  'New order': '手工建单',
  Payment: '付款',
  'Ship to': '收货地址',
  Allocate: '分配仓库',
  'Confirm packed': '确认打包',
  'Confirm shipment': '确认发货',
  'Create order': '创建订单',
  Merge: '合并',
  'Open case': '创建售后单',
  'Record payment': '登记付款',
  'Save and review again': '保存并重新审单',
  Approve: '同意',
  Reject: '驳回',
  Cancel: '取消',
  Receive: '确认收货',
  'Record QC': '登记质检',
  Refund: '退款',
  Close: '关闭',
  // the warehouse forms (actions/warehouse.actions.ts): 入库, 调整, 波次
  Warehouse: '仓库',
  'Quantity received': '入库数量',
  Reference: '单据号',
  Change: '调整数量',
  'Shipments in the wave': '本波次发货单数',
  'the product code, exactly as in the catalogue': '商品编码，须与商品资料完全一致',
  'a positive whole number': '正整数',
  'purchase order or delivery note number (optional)': '采购单号或送货单号（选填）',
  'positive adds units, negative removes them (e.g. -2)': '正数为增加，负数为减少（如 -2）',
  'recorded in the stock ledger, e.g. stock count, damaged, lost': '记入库存流水，如：盘点差异、破损、丢失',
  'at most 200; oldest first; 20 if empty': '最多 200 个，先进先出；留空为 20 个',
  'Receive goods': '入库',
  'Adjust stock': '库存调整',
  'Create a pick wave': '创建拣货波次',
  'Adds the units to the warehouse’s stock on hand. Orders waiting for this SKU are allocated at once.': '增加该仓库的实际库存；等待此商品的缺货订单会立即重新分配。',
  'Corrects the stock on hand after a count, damage or loss. Units reserved for orders cannot be removed.': '盘点差异、破损或丢失后修正实际库存；已被订单占用的数量不能减少。',
  'Takes the warehouse’s shipments waiting to be picked, oldest first, into one pick list in walking order of the bins. The number of waiting shipments is in brackets.':
    '将该仓库待拣货的发货单按先进先出生成一张拣货单，明细按库位路线排序。括号内为待拣货的发货单数。',
  'Confirm receipt': '确认入库',
  'Save adjustment': '确认调整',
  'Create pick list': '生成拣货单',
  'There is no active warehouse': '没有启用的仓库',
  'No shipment is waiting to be picked in any warehouse': '所有仓库都没有待拣货的发货单',
};

type Words = typeof zhCN;
type Pattern = [RegExp, (match: RegExpMatchArray, words: Words) => string];

const orderStatus = (words: Words, code: string) => (words.enums.orderStatus as Record<string, string>)[code] ?? code;
const caseStatus = (words: Words, code: string) => (words.enums.caseStatus as Record<string, string>)[code] ?? code;
const templatePart = (part: string) => ({ subject: '主题', html: 'HTML 正文', text: '纯文本正文' })[part] ?? part;
const verbs: Record<string, string> = { Reject: '驳回', Cancel: '取消', Approve: '同意', Receive: '确认收货', 'Record QC': '登记质检', Refund: '退款', Close: '关闭' };

/** Texts with a number, a name or a status in them (forms and notices). */
export const FORM_PATTERNS_ZH: Pattern[] = [
  ...WAYBILL_NOTICES_ZH,
  [/^(Reject|Cancel) order (\S+)$/, ([, verb, number]) => `${verbs[verb]}订单 ${number}`],
  [/^(Reject|Cancel) order$/, ([, verb]) => `${verbs[verb]}订单`],
  [/^(Approve|Reject|Receive|Record QC|Refund|Close) case (\S+)$/, ([, verb, number]) => `${verbs[verb]}售后单 ${number}`],
  [/^Allocate order (\S+) by hand$/, ([, number]) => `手动分配订单 ${number} 的仓库`],
  [/^Amend order (\S+)$/, ([, number]) => `修改订单 ${number}`],
  [/^Merge order (\S+) with another into one parcel$/, ([, number]) => `将订单 ${number} 与另一订单合并为一个包裹`],
  [/^Open an after-sales case for order (\S+)$/, ([, number]) => `为订单 ${number} 创建售后单`],
  [/^Pack a shipment of order (\S+)$/, ([, number]) => `打包订单 ${number} 的发货单`],
  [/^Record the payment of order (\S+)$/, ([, number]) => `登记订单 ${number} 的付款`],
  [/^Ship order (\S+)$/, ([, number]) => `订单 ${number} 发货`],
  [/^No shipment of order (\S+) is waiting to be packed$/, ([, number]) => `订单 ${number} 没有待打包的发货单`],
  [/^No other order of (.+) to the same address waits to be picked\.$/, ([, name]) => `${name} 没有其他寄往同一地址且待拣货的订单。`],
  [/^The order total is (\S+) \((.+)\)\. After the payment the order is reviewed\.$/, ([, total, method]) => `订单金额 ${total}（${method}）。登记付款后订单将进行审单。`],
  // notices after an action
  [/^Order (\S+) approved$/, ([, number]) => `订单 ${number} 已审核通过`],
  [/^Order (\S+) (rejected|cancelled); it is now (\w+)$/, ([, number, past, status], words) => `订单 ${number} 已${past === 'rejected' ? '驳回' : '取消'}，当前状态：${orderStatus(words, status)}`],
  [/^Order (\S+) confirmed as received; it is now (\w+)$/, ([, number, status], words) => `订单 ${number} 已确认签收，当前状态：${orderStatus(words, status)}`],
  [/^Order (\S+) amended and reviewed again; it is now (\w+)(.*)$/, ([, number, status, rest], words) => `订单 ${number} 已修改并重新审单，当前状态：${orderStatus(words, status)}${rest}`],
  [/^Order (\S+) allocated(?: to (\S+))?; it is now (\w+)$/, ([, number, to, status], words) => `订单 ${number} 已分配${to ? `到 ${to}` : ''}，当前状态：${orderStatus(words, status)}`],
  [/^Order (\S+) created; it is (\w+)(.*)$/, ([, number, status, rest], words) => `订单 ${number} 已创建，当前状态：${orderStatus(words, status)}${rest}`],
  [/^Order (\S+) shipped with (\S+) (\S+); it is now (\w+)$/, ([, number, carrier, tracking, status], words) =>
    `订单 ${number} 已由${(words.enums.carrier as Record<string, string>)[carrier] ?? carrier}发出（单号 ${tracking}），当前状态：${orderStatus(words, status)}`],
  [/^Shipment from (\S+) of order (\S+) packed$/, ([, warehouse, number]) => `订单 ${number} 在 ${warehouse} 的发货单已打包`],
  [/^Payment (\S+) of (\S+) recorded on order (\S+); it is now (\w+)$/, ([, reference, amount, number, status], words) =>
    `已登记订单 ${number} 的付款 ${amount}（流水号 ${reference}），当前状态：${orderStatus(words, status)}`],
  [/^Orders (.+) leave (\S+) as one parcel$/, ([, numbers, warehouse]) => `订单 ${numbers} 将从 ${warehouse} 合并为一个包裹发出`],
  [/^Case (\S+) \((\w+)\) opened on order (\S+); it waits for review$/, ([, number, type, order], words) =>
    `已为订单 ${order} 创建售后单 ${number}（${(words.enums.caseType as Record<string, string>)[type] ?? type}），等待审核`],
  [/^Case (\S+) approved; (.+) owns it, it is now (\w+)$/, ([, number, owner, status], words) => `售后单 ${number} 已同意，负责人 ${owner}，当前状态：${caseStatus(words, status)}`],
  [/^Case (\S+) rejected; it is now (\w+)$/, ([, number, status], words) => `售后单 ${number} 已驳回，当前状态：${caseStatus(words, status)}`],
  [/^Case (\S+) received at (\S+); it is now (\w+)$/, ([, number, warehouse, status], words) => `售后单 ${number} 已在 ${warehouse} 收货，当前状态：${caseStatus(words, status)}`],
  [/^Case (\S+): QC (pass|fail); it is now (\w+)$/, ([, number, result, status], words) =>
    `售后单 ${number} 质检${result === 'pass' ? '合格' : '不合格'}，当前状态：${caseStatus(words, status)}`],
  [/^Case (\S+): (\S+) refunded; it is now (\w+)$/, ([, number, amount, status], words) => `售后单 ${number} 已退款 ${amount}，当前状态：${caseStatus(words, status)}`],
  [/^Case (\S+) closed$/, ([, number]) => `售后单 ${number} 已关闭`],
  [/^Alert resolved$/, () => '告警已处理'],
  [/^User (\S+) created$/, ([, email]) => `用户 ${email} 已创建`],
  [/^User (\S+) saved$/, ([, email]) => `用户 ${email} 已保存`],
  [/^User (\S+) saved; their sessions ended with the new password$/, ([, email]) => `用户 ${email} 已保存；设置新密码后其所有会话已结束`],
  [/^Role (\S+) created$/, ([, name]) => `角色 ${name} 已创建`],
  [/^Role (\S+) saved; its holders have the new permissions from their next request$/, ([, name]) => `角色 ${name} 已保存；拥有该角色的用户下一次请求起使用新权限`],
  [/^Role (\S+) deleted$/, ([, name]) => `角色 ${name} 已删除`],
  [/^The key is revoked: it answers 401 from now on$/, () => '密钥已吊销：此后使用它的请求将返回 401'],
  [/^Your password is changed; sign in again with it$/, () => '密码已修改，请用新密码重新登录'],
  [/^Your role does not allow this action$/, () => '您的角色无权执行此操作'],
  [/^Your account is no longer active$/, () => '您的账号已停用'],
  [/^Open it in the admin and use its button there to do this$/, () => '请在后台中打开并使用其中的按钮操作'],
  // the template editor and the backups page
  [/^Use the template editor to do this$/, () => '请在模板编辑器中操作'],
  [/^Saved (\S+): (.+)$/, ([, name, parts]) => `已保存 ${name}：${parts.replace(/(\w+) version (\d+)/g, (_, part: string, version: string) => `${templatePart(part)} 第 ${version} 版`).replace(/, /g, '，')}`],
  [/^(\S+) (subject|html|text) is back to the file$/, ([, name, part]) => `${name} 的${templatePart(part)}已恢复为文件中的模板`],
  [/^(\S+) (subject|html|text) is back to version (\d+)$/, ([, name, part, version]) => `${name} 的${templatePart(part)}已恢复到第 ${version} 版`],
  [/^Test (email|sms) sent to (.+)$/, ([, channel, to]) => `测试${channel === 'sms' ? '短信' : '邮件'}已发送至 ${to}`],
  [/^backup (\S+) started$/, ([, id]) => `备份 ${id} 已开始`],
  [/^verifying backup (\S+)$/, ([, id]) => `正在校验备份 ${id}`],
  [/^backup (\S+) deleted$/, ([, id]) => `备份 ${id} 已删除`],
  [/^unknown operation$/, () => '未知操作'],
  // the warehouse screens' notices (actions/warehouse.actions.ts)
  [/^Received (\d+) of (\S+) in (\S+): on hand (\d+), reserved (\d+), available (\d+)$/, ([, quantity, sku, warehouse, onHand, reserved, available]) =>
    `${warehouse} 已入库 ${sku} × ${quantity}：实际库存 ${onHand}，占用 ${reserved}，可用 ${available}`],
  [/^Adjusted (\S+) in (\S+) by ([+-]\d+): on hand (\d+), reserved (\d+), available (\d+)$/, ([, sku, warehouse, delta, onHand, reserved, available]) =>
    `${warehouse} 的 ${sku} 已调整 ${delta}：实际库存 ${onHand}，占用 ${reserved}，可用 ${available}`],
  [/^Pick list (\S+) created with (\d+) shipment\(s\)$/, ([, number, count]) => `拣货单 ${number} 已生成，共 ${count} 个发货单`],
  [/^Pick list (\S+) confirmed as picked$/, ([, number]) => `拣货单 ${number} 已确认拣货`],
  [/^Shipment of order (\S+) packed$/, ([, number]) => `订单 ${number} 的发货单已打包`],
];

/** One text of a form or a notice in `language` (English is the language they are written in). */
export function translateFormText(text: string, language: AdminLanguage): string {
  if (language === 'en') return text;
  if (Object.hasOwn(FORM_TEXTS_ZH, text)) return FORM_TEXTS_ZH[text];
  for (const [pattern, render] of FORM_PATTERNS_ZH) {
    const match = text.match(pattern);
    if (match) return render(match, zhCN);
  }
  return text;
}

function translateField(field: FormField, language: AdminLanguage): FormField {
  const t = (text: string) => translateFormText(text, language);
  return {
    ...field,
    label: t(field.label),
    ...(field.help ? { help: t(field.help) } : {}),
    ...(field.options ? { options: field.options.map((option) => ({ ...option, label: t(option.label) })) } : {}),
    ...(field.columns ? { columns: field.columns.map((column) => translateField(column, language)) } : {}),
  };
}

/** A form as the user reads it. */
export function translateForm(form: ActionForm, language: AdminLanguage): ActionForm {
  if (language === 'en') return form;
  const t = (text: string) => translateFormText(text, language);
  return {
    ...form,
    title: t(form.title),
    ...(form.intro ? { intro: t(form.intro) } : {}),
    ...(form.blocked ? { blocked: t(form.blocked) } : {}),
    submitLabel: t(form.submitLabel),
    sections: form.sections.map((section) => ({ ...section, ...(section.title ? { title: t(section.title) } : {}), fields: section.fields.map((field) => translateField(field, language)) })),
  };
}
