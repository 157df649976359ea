import { normaliseEmail, passwordProblem } from '../../../src/auth/credentials-policy';

describe('credentials policy (G3.3, issue 11 item 4)', () => {
  it('normalises an email the same way wherever it is compared', () => {
    expect(normaliseEmail('  Finance@Shop.CN ')).toBe('finance@shop.cn');
    // a dotted capital I is not the plain i of finance@: it stays a different account, never a second lockout key for it
    expect(normaliseEmail('fİnance@shop.cn')).not.toBe('finance@shop.cn');
    expect(normaliseEmail('ｆinance@shop.cn')).toBe('finance@shop.cn'); // full-width letters fold (NFKC)
  });

  it('refuses passwords shorter than 12 characters', () => {
    expect(passwordProblem('short-pass1')).toMatch(/at least 12/);
    expect(passwordProblem('长密码也要十二个字符以上才行啊')).toBeNull();
  });

  it('refuses a common password from the maintained list, whatever its case', () => {
    expect(passwordProblem('qwerty123456')).toMatch(/common/);
    expect(passwordProblem('QWERTY123456')).toMatch(/common/);
  });

  it('refuses the account email (or its name part) as the password', () => {
    expect(passwordProblem('zhang.wei.ops@shop.cn', 'Zhang.Wei.Ops@shop.cn')).toMatch(/email/);
    expect(passwordProblem('zhang.wei.ops', 'zhang.wei.ops@shop.cn')).toMatch(/email/);
  });

  it('takes a long, uncommon password as typed, spaces included', () => {
    expect(passwordProblem('  tea leaves at dawn  ', 'ops@shop.cn')).toBeNull();
  });
});
