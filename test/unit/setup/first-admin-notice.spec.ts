import { firstAdminBox } from '../../../src/setup/first-admin-notice';

/** Columns in a terminal: CJK and full-width punctuation take two. */
const columns = (line: string) => [...line].reduce((width, char) => width + (/[\u3000-\u9fff\uff00-\uff60]/.test(char) ? 2 : 1), 0);

describe('the first admin box (issue 14 item 12)', () => {
  it('frames the login with every line as wide as the frame, Chinese included', () => {
    const box = firstAdminBox({ email: 'ops-lead@shop.example.com', password: 'Xk3v9_fQm2LpZr8a' }, 'http://localhost:3000/admin');
    const lines = box.split('\n').filter((line) => line.trim());
    expect(lines[0].trim()).toMatch(/^╔═+╗$/);
    expect(lines.at(-1)!.trim()).toMatch(/^╚═+╝$/);
    expect(new Set(lines.map(columns)).size).toBe(1);
    expect(box).toContain('║  Email:    ops-lead@shop.example.com ');
    expect(box).toContain('║  Password: Xk3v9_fQm2LpZr8a ');
    expect(box).toContain('║  Sign in:  http://localhost:3000/admin ');
    expect(box).toContain('密码只显示这一次');
  });

  it('without an admin (a worker-only process) it leaves the sign-in line out', () => {
    expect(firstAdminBox({ email: 'a@example.com', password: 'p' })).not.toContain('Sign in');
  });
});
