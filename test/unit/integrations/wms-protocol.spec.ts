import { createHmac } from 'node:crypto';
import { signWmsRequest, wmsSettingsProblems } from '../../../src/integrations/wms/wms-protocol';

/** Issue 15 item 5: the WMS request signature as README "Connecting a WMS" documents it, and the settings' form. */
describe('WMS protocol', () => {
  const secret = 'test-secret-Ω';
  const body = JSON.stringify({ event: 'wms-instruction', shipmentId: 's-1', notes: '请用纸箱' });
  const at = new Date('2026-12-08T01:02:03.900Z');

  it('signs `<unix seconds>.<raw body>` with HMAC-SHA256 of the secret, hex, after v1=; the timestamp header is the signed one', () => {
    const request = signWmsRequest('https://wms.example.com/in', secret, 'wms-instruction', 'wms-instruction:s-1', body, at);
    expect(request).toMatchObject({ method: 'POST', url: 'https://wms.example.com/in', body });
    expect(request.headers['X-OMS-Timestamp']).toBe('1796691723');
    const expected = createHmac('sha256', Buffer.from(secret, 'utf8')).update(Buffer.from(`1796691723.${body}`, 'utf8')).digest('hex');
    expect(request.headers['X-OMS-Signature']).toBe(`v1=${expected}`);
    expect(request.headers).toMatchObject({ 'X-OMS-Event': 'wms-instruction', 'X-OMS-Idempotency-Key': 'wms-instruction:s-1', 'Content-Type': 'application/json; charset=utf-8' });
  });

  it('another body, time or secret gives another signature (a replay with a new timestamp cannot reuse it)', () => {
    const signature = (b: string, when: Date, key: string) => signWmsRequest('https://w', key, 't', 'k', b, when).headers['X-OMS-Signature'];
    const base = signature(body, at, secret);
    expect(signature(body.replace('纸箱', '木箱'), at, secret)).not.toBe(base);
    expect(signature(body, new Date(at.getTime() + 1000), secret)).not.toBe(base);
    expect(signature(body, at, `${secret}x`)).not.toBe(base);
    expect(signature(body, new Date(at.getTime() + 50), secret)).toBe(base); // seconds, as the header says
  });

  it('settings: endpoint an http(s) URL (required once it runs warehouses), warehouses distinct codes, apiKeyId a uuid', () => {
    const paths = (settings: Record<string, unknown>) => wmsSettingsProblems(settings).map((problem) => problem.path);
    expect(paths({})).toEqual([]);
    expect(paths({ warehouses: ['SH-01'] })).toEqual(['settings.endpoint']);
    expect(paths({ endpoint: 'https://wms.example.com/in', warehouses: ['SH-01', 'HZ_02'], apiKeyId: '2b1f8f52-7a4e-4c1e-9f8e-0d2f4b0c9a11' })).toEqual([]);
    expect(paths({ endpoint: 'https://wms.example.com/in?token=1' })).toEqual(['settings.endpoint']);
    expect(paths({ endpoint: 'javascript:alert(1)' })).toEqual(['settings.endpoint']);
    expect(paths({ endpoint: 'http://w', warehouses: 'SH-01' })).toEqual(['settings.warehouses']);
    expect(paths({ endpoint: 'http://w', warehouses: ['SH-01', 7, 'SH-01', '-x'] })).toEqual(['settings.warehouses[1]', 'settings.warehouses[2]', 'settings.warehouses[3]']);
    expect(paths({ endpoint: 'http://w', warehouses: Array.from({ length: 101 }, (_, i) => `W${i}`) })).toEqual(['settings.warehouses']);
    expect(paths({ endpoint: 'http://w', apiKeyId: "x' OR 1=1" })).toEqual(['settings.apiKeyId']);
  });
});
