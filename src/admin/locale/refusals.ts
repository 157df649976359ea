import type { ErrorCode } from '../../common/errors';
import { translateFormText } from './forms';
import type { AdminLanguage } from './index';
import { INTEGRATION_FIELD_PROBLEMS_ZH, INTEGRATION_REFUSALS_ZH } from './integration-texts';
import { zhCN } from './zh-CN';

/**
 * The services refuse in English (API.md: a client branches on the error code, a person reads the message). In the admin
 * a zh-CN operator reads the refusal in Chinese: the frequent shapes ("Order SO1 is shipped; only ... can be amended",
 * "X 42 was not found", a field that "is required") are matched and said in Chinese with the statuses in words; any
 * other refusal gets a Chinese sentence for its error code, with the English detail after it, so the operator always
 * learns in their language what kind of problem it is.
 */
type Words = typeof zhCN;
type Pattern = [RegExp, (match: RegExpMatchArray, words: Words) => string];

const word = (list: Record<string, string>, code: string) => list[code] ?? code;

/** Things the services name in "was not found" (NotFoundError's `what`). */
const THINGS_ZH: Record<string, string> = {
  Order: '订单',
  Shipment: '发货单',
  'Shipment with tracking number': '运单号对应的发货单',
  'Pick list': '拣货单',
  'After-sales case': '售后单',
  Product: '商品',
  Warehouse: '仓库',
  'Stock level': '库存记录',
  User: '用户',
  Role: '角色',
  'API key': 'API 密钥',
  Task: '任务',
  Incident: '流程故障',
  'Process instance': '流程实例',
  Workflow: '流程',
  'Workflow version': '流程版本',
  Template: '模板',
  'Template version': '模板版本',
  Backup: '备份',
  Alert: '告警',
  'Logistics alert': '物流告警',
  Attachment: '附件',
  Report: '报表',
};

/** Refusals of a service (409 invalid_state / conflict, 404) in Chinese. */
const REFUSALS_ZH: Pattern[] = [
  // issue 15 item 5: the WMS works these
  [/^Warehouse (\S+) is run by the WMS (\S+): .*$/, ([, warehouse, connector]) => `仓库 ${warehouse} 由WMS作业（${connector}）：拣货在 WMS 中完成并回传确认`],
  [/^Shipment \S+ of order (\S+) is handled by the WMS (\S+): it is (picked|packed) there.*$/, ([, number, connector, step]) =>
    `订单 ${number} 的发货单由WMS作业（${connector}）：${step === 'picked' ? '拣货' : '打包'}在 WMS 中完成并回传确认`],
  [/^Order (\S+) changed meanwhile; try again$/, ([, number]) => `订单 ${number} 刚被他人修改，请重试`],
  [/^Order (\S+) is (\w+)(?: with payment \w+| and already approved)?; .*$/, ([, number, status], w) => `订单 ${number} 当前为「${word(w.enums.orderStatus, status)}」，不能执行此操作`],
  [/^Order (\S+) has no allocated shipment to ship; allocate it first$/, ([, number]) => `订单 ${number} 没有已分配的发货单，请先分配仓库`],
  [/^Order (\S+) has shipment \S+ (\w+) in (\S+) already; .*$/, ([, number, status, warehouse], w) =>
    `订单 ${number} 在 ${warehouse} 的发货单已是「${word(w.enums.shipmentStatus, status)}」，不能再手动分配`],
  [/^Shipment \S+ of order (\S+) is merged into shipment \S+; (?:pack|ship) that parcel$/, ([, number]) => `订单 ${number} 的发货单已合并到另一包裹，请处理合并后的包裹`],
  [/^Shipment \S+ of order (\S+) is (\w+)(?: already)?; .*$/, ([, number, status], w) => `订单 ${number} 的发货单当前为「${word(w.enums.shipmentStatus, status)}」，不能执行此操作`],
  [/^Case (\S+) is (\w+)(?: \(QC failed\))?; .*$/, ([, number, status], w) => `售后单 ${number} 当前为「${word(w.enums.caseStatus, status)}」，不能执行此操作`],
  [/^Case (\S+) is a (\w+) case; .*$/, ([, number, type], w) => `售后单 ${number} 是「${word(w.enums.caseType, type)}」类型，不能执行此操作`],
  [/^Case (\S+) is approved and being worked; .*$/, ([, number]) => `售后单 ${number} 已同意并在处理中，请先驳回或处理完毕`],
  [/^Case (\S+) has a replacement shipment not yet shipped; ship it first$/, ([, number]) => `售后单 ${number} 的补发件尚未发出，请先发货`],
  [/^Not enough stock of (\S+) in (\S+): (\d+) available, (\d+) needed; nothing was changed$/, ([, sku, warehouse, available, needed]) =>
    `${warehouse} 的 ${sku} 库存不足：可用 ${available}，需要 ${needed}；未做任何修改`],
  [/^(\S+) in (\S+) has (\d+) units reserved; on-hand cannot be set to (\d+)$/, ([, sku, warehouse, reserved, onHand]) =>
    `${warehouse} 的 ${sku} 已占用 ${reserved} 件，实物库存不能设为 ${onHand}`],
  [/^There are no shipments waiting to be picked in (\S+)$/, ([, warehouse]) => `${warehouse} 没有待拣货的发货单`],
  // stock adjustments (the admin's 库存调整, POST /api/inventory/adjustments)
  [/^(\S+) in (\S+) has (\d+) on hand and (\d+) reserved; removing (\d+) is not possible$/, ([, sku, warehouse, onHand, reserved, removing]) =>
    `${warehouse} 的 ${sku} 实际库存 ${onHand}、已占用 ${reserved}，不能减少 ${removing} 件`],
  [/^(\S+) has no stock in (\S+) to remove$/, ([, sku, warehouse]) => `${warehouse} 没有 ${sku} 的库存可减少`],
  [/^The form has (\d+) problem\(s\): .*$/, ([, count]) => `表单有 ${count} 处问题，请修改标出的字段`],
  [/^Pick list (\S+) is (\w+); only open pick lists can be confirmed$/, ([, number]) => `拣货单 ${number} 已不是待拣货状态，不能确认`],
  [/^Task "(.+)" is claimed by (\S+); only they can complete it$/, ([, name, who]) => `任务「${name}」已由 ${who} 领取，只有领取人可以完成`],
  [/^Task "(.+)" is (\w+).*$/, ([, name]) => `任务「${name}」已处理或已关闭，不能再完成`],
  [/^(.+) is more than can be refunded on order (\S+): (\S+) \(paid minus earlier refunds\)$/, ([, amount, number, refundable]) =>
    `退款 ${amount} 超过订单 ${number} 可退金额 ${refundable}（实付减已退）`],
  // connectors and their deliveries (issue 15 item 6)
  ...INTEGRATION_REFUSALS_ZH.map(([pattern, render]): Pattern => [pattern, (match) => render(match)]),
  [/^(.+?) (\S+) was not found$/, ([, what, id]) => (THINGS_ZH[what] ? `未找到${THINGS_ZH[what]} ${id}` : `未找到 ${what} ${id}`)],
];

/** The reasons a field is refused (validation details, shown next to the field) in Chinese. */
const FIELD_PROBLEMS_ZH: Pattern[] = [
  [/^is required$/, () => '必填'],
  [/^must not be empty$/, () => '不能为空'],
  [/^must be a positive whole number$/, () => '须为正整数'],
  [/^must be a whole number of 0 or more$/, () => '须为 0 或更大的整数'],
  [/^must be (?:a whole number|an integer number)$/, () => '须为整数'],
  [/^should not be equal to 0$/, () => '不能为 0'],
  [/^must not be (less|greater) than (-?\d+)$/, ([, side, bound]) => `不能${side === 'less' ? '小于' : '大于'} ${bound}`],
  [/^must be a whole number from (\d+) to (\d+)$/, ([, low, high]) => `须为 ${low} 到 ${high} 的整数`],
  [/^must be true or false$/, () => '须为是或否'],
  [/^must (?:have|name) at least one line$/, () => '至少需要一行商品'],
  [/^must be at most (\d+) characters(?: long)?$/, ([, n]) => `最多 ${n} 个字符`],
  [/^must be shorter than or equal to (\d+) characters$/, ([, n]) => `最多 ${n} 个字符`],
  [/^must be longer than or equal to (\d+) characters$/, ([, n]) => `至少 ${n} 个字符`],
  [/^must be a decimal string.*$/, () => '须为金额，如 129.00'],
  [/^must differ from the current password$/, () => '不能与当前密码相同'],
  [/^must be pass or fail$/, () => '须为合格或不合格'],
  [/^must not be before from \((.+)\)$/, ([, from]) => `不能早于开始日期（${from}）`],
  [/^names (\S+) twice; give each SKU once with its quantity$/, ([, sku]) => `${sku} 出现了两次，每个商品只填一行并写明数量`],
  [/^no warehouse (\S+)$/, ([, code]) => `没有仓库 ${code}`],
  [/^warehouse (\S+) does not exist$/, ([, code]) => `没有仓库 ${code}`],
  [/^(\S+) is not an active warehouse$/, ([, code]) => `${code} 不是启用中的仓库`],
  [/^must be one of (.+)$/, ([, values]) => `须为以下之一：${values}`],
  // connectors' settings and secrets (issue 15 item 6)
  ...INTEGRATION_FIELD_PROBLEMS_ZH.map(([pattern, render]): Pattern => [pattern, (match) => render(match)]),
  // the order list's batch ship form (admin/actions/batch-actions.ts)
  [/^line (\d+) must be an order number and a tracking number$/, ([, line]) => `第 ${line} 行须为订单号和运单号，中间用空格隔开`],
  [/^order (\S+) is given twice \(line (\d+)\)$/, ([, number, line]) => `订单 ${number} 填了两次（第 ${line} 行）`],
  [/^order (\S+) is not among the selected orders$/, ([, number]) => `订单 ${number} 不在所选订单中`],
  [/^the tracking number of order (\S+) must be 6-40 letters, digits or -$/, ([, number]) => `订单 ${number} 的运单号须为 6-40 位字母、数字或 -`],
  [/^give at least one order number with its tracking number$/, () => '请至少填写一个订单号及其运单号'],
  [/^no tracking number for order (.+)$/, ([, numbers]) => `订单 ${numbers} 没有填写运单号`],
];

/** What each kind of refusal means, for a refusal no pattern knows. */
const CODE_SENTENCES_ZH: Partial<Record<ErrorCode, string>> = {
  invalid_state: '当前状态下不能执行此操作',
  conflict: '与已有数据重复',
  validation_failed: '填写的内容有误',
  not_found: '未找到要处理的数据',
  forbidden: '您的角色无权执行此操作',
  unauthorized: '请重新登录',
  rate_limited: '操作过于频繁，请稍后再试',
  payload_too_large: '内容过大',
  unsupported_media_type: '不支持的文件类型',
  wms_handled: '该发货单由WMS作业，拣货和打包在WMS中确认',
};

const firstMatch = (patterns: Pattern[], text: string): string | undefined => {
  for (const [pattern, render] of patterns) {
    const match = text.match(pattern);
    if (match) return render(match, zhCN);
  }
  return undefined;
};

/** A field's problem in the user's language. */
export function translateFieldProblem(message: string, language: AdminLanguage): string {
  if (language === 'en') return message;
  return firstMatch(FIELD_PROBLEMS_ZH, message) ?? translateFormText(message, language);
}

/** A refusal's message in the user's language: a known shape in words, else the kind of problem with the English detail. */
export function translateRefusal(message: string, code: ErrorCode | undefined, language: AdminLanguage): string {
  if (language === 'en') return message;
  const known = translateFormText(message, language);
  if (known !== message) return known;
  const matched = firstMatch(REFUSALS_ZH, message);
  if (matched) return matched;
  if (code === 'validation_failed' && /^The request has \d+ problem\(s\)/.test(message)) return `${CODE_SENTENCES_ZH.validation_failed}，请检查标出的字段`;
  const sentence = code ? CODE_SENTENCES_ZH[code] : undefined;
  return sentence ? `${sentence}：${message}` : message;
}

/** Every field's problem in the user's language. */
export const translateFieldErrors = (fieldErrors: Record<string, string> | undefined, language: AdminLanguage) =>
  fieldErrors && Object.fromEntries(Object.entries(fieldErrors).map(([path, message]) => [path, translateFieldProblem(message, language)]));
