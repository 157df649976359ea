import { requestIdFrom } from '../../../src/common/request-context';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('requestIdFrom', () => {
  it('keeps a short token of letters, digits and . _ : -', () => {
    for (const id of ['a', 'req-1', 'lb-7f3a:0001.retry_2', '4bf92f3577b34da6a3ce929d0e0e4736', 'x'.repeat(100)]) expect(requestIdFrom(id)).toBe(id);
  });

  it('replaces anything else with a new UUID: missing, repeated, too long, line breaks, spaces, quotes, non-ASCII', () => {
    const hostile = [undefined, ['a', 'b'], '', 'x'.repeat(101), 'a'.repeat(1024), 'abc\nX-Injected: 1', 'abc\r\n{"level":60}', 'a b', 'a"b', '-dash', 'ünï', 'a\u2028b'];
    for (const value of hostile) expect(requestIdFrom(value)).toMatch(UUID);
    expect(requestIdFrom(undefined)).not.toBe(requestIdFrom(undefined));
  });
});
