import { InvalidStateError, NotFoundError, ValidationError } from '../../../src/common/errors';
import { translateFormText } from '../../../src/admin/locale/forms';
import { translateFieldErrors, translateRefusal } from '../../../src/admin/locale/refusals';

/** Issue 14 item 1: a zh-CN operator reads a service's refusal in Chinese, with the statuses in words; English stays as written. */
describe('refusals in the operator\'s language', () => {
  const zh = (error: InvalidStateError | NotFoundError | ValidationError) => translateRefusal(error.message, error.code, 'zh-CN');

  it('says a status refusal in Chinese, the status in words', () => {
    expect(zh(new InvalidStateError('Order SO1 is shipped; only pending_payment, pending_review, exception orders can be amended'))).toBe('订单 SO1 当前为「已发货」，不能执行此操作');
    expect(zh(new InvalidStateError('Order SO2 is awaiting_shipment and already approved; only pending_review or exception orders can be approved'))).toBe('订单 SO2 当前为「待发货」，不能执行此操作');
    expect(zh(new InvalidStateError('Shipment 7 of order SO3 is shipped; only allocated, picking, packed shipments can be shipped'))).toBe('订单 SO3 的发货单当前为「已发货」，不能执行此操作');
    expect(zh(new InvalidStateError('Case AS9 is closed; only requested cases can be approved'))).toBe('售后单 AS9 当前为「已关闭」，不能执行此操作');
    expect(zh(new InvalidStateError('Not enough stock of SKU-1 in SH: 2 available, 5 needed; nothing was changed'))).toBe('SH 的 SKU-1 库存不足：可用 2，需要 5；未做任何修改');
  });

  it('names what was not found', () => {
    expect(zh(new NotFoundError('Order', 'SO404'))).toBe('未找到订单 SO404');
    expect(zh(new NotFoundError('Gadget', '1'))).toBe('未找到 Gadget 1');
  });

  it('gives an unknown refusal its kind in Chinese, with the detail', () => {
    expect(zh(new InvalidStateError('The moon is in the wrong phase'))).toBe('当前状态下不能执行此操作：The moon is in the wrong phase');
    expect(zh(ValidationError.of('lines[0].quantity', 'must be a positive whole number'))).toBe('填写的内容有误，请检查标出的字段');
  });

  it('says field problems in Chinese', () => {
    expect(translateFieldErrors({ reason: 'is required', quantity: 'must be a positive whole number', notes: 'must be at most 500 characters', odd: 'is odd' }, 'zh-CN')).toEqual({
      reason: '必填',
      quantity: '须为正整数',
      notes: '最多 500 个字符',
      odd: 'is odd',
    });
  });

  it('leaves English as the services wrote it', () => {
    const message = 'Order SO1 is shipped; only pending_review orders can be rejected';
    expect(translateRefusal(message, 'invalid_state', 'en')).toBe(message);
    expect(translateFieldErrors({ reason: 'is required' }, 'en')).toEqual({ reason: 'is required' });
  });

  it('says what the template editor and the backups page did', () => {
    expect(translateFormText('Saved email/zh-CN/order-confirmation: subject version 1, html version 2', 'zh-CN')).toBe('已保存 email/zh-CN/order-confirmation：主题 第 1 版，HTML 正文 第 2 版');
    expect(translateFormText('email/zh-CN/order-shipped text is back to the file', 'zh-CN')).toBe('email/zh-CN/order-shipped 的纯文本正文已恢复为文件中的模板');
    expect(translateFormText('Test sms sent to 13800138000', 'zh-CN')).toBe('测试短信已发送至 13800138000');
    expect(translateFormText('backup 3f2a started', 'zh-CN')).toBe('备份 3f2a 已开始');
  });
});
