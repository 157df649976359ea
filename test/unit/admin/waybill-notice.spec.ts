import { packedNotice } from '../../../src/admin/actions/waybill-notice';
import { translateFormText } from '../../../src/admin/locale/forms';
import type { WaybillState } from '../../../src/fulfillment/carrier-hooks';

/** Issue 15 item 4: what the packer reads after 打包 when the carrier issues e-waybills, in both admin languages. */
describe('the 打包 notice with the e-waybill', () => {
  const waybill = (status: WaybillState['status'], trackingNumber: string | null, lastError: string | null): WaybillState =>
    ({ status, carrier: 'zto', trackingNumber, message: '', attempts: 1, lastError });

  it('issued: the number to print', () => {
    const text = packedNotice('Shipment of order SO1 packed', waybill('issued', '75123', null));
    expect(text).toBe('Shipment of order SO1 packed; e-waybill zto 75123 issued: print the label');
    expect(translateFormText(text, 'zh-CN')).toBe('订单 SO1 的发货单已打包；已取得中通快递电子面单，运单号 75123，请打印面单');
  });

  it('the carrier\'s service down: the packing is saved and the number follows; the reason keeps its brackets out of the way', () => {
    const text = packedNotice('Shipment from WH1 of order SO2 packed', waybill('pending', null, 'Kuaidi100 answered HTTP 503 (busy)'));
    expect(text).toBe('Shipment from WH1 of order SO2 packed; the zto e-waybill is not issued yet (Kuaidi100 answered HTTP 503  busy): it is retried automatically; print the label once the number is in');
    expect(translateFormText(text, 'zh-CN')).toBe('订单 SO2 在 WH1 的发货单已打包；中通快递电子面单暂未取得（Kuaidi100 answered HTTP 503  busy）。打包已保存，系统会自动重试，取得运单号后再打印面单');
    expect(translateFormText(packedNotice('Shipment of order SO3 packed', waybill('failed', null, null)), 'zh-CN')).toBe('订单 SO3 的发货单已打包；中通快递电子面单未能取得。打包已保存，请检查快递100连接后重新获取面单');
  });

  it('重新获取电子面单 says the same of the order', () => {
    expect(translateFormText(packedNotice('E-waybill asked again for order SO5', waybill('issued', '75999', null)), 'zh-CN')).toBe('已为订单 SO5 重新获取电子面单；已取得中通快递电子面单，运单号 75999，请打印面单');
  });

  it('without an e-waybill the notice is as before', () => {
    expect(packedNotice('Shipment of order SO4 packed', undefined)).toBe('Shipment of order SO4 packed');
    expect(translateFormText('Shipment of order SO4 packed', 'zh-CN')).toBe('订单 SO4 的发货单已打包');
  });
});
