/** Columns a character takes in a terminal: CJK and full-width forms take two. */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/;
const columns = (text: string) => [...text].reduce((width, char) => width + (WIDE.test(char) ? 2 : 1), 0);

/**
 * The first start's generated admin password, in a box printed after the service is up (issue 14 item 12): the last thing
 * on the screen, not a line lost above the start-up logs. Shown this once; it is stored only as a hash.
 */
export function firstAdminBox(admin: { email: string; password: string }, adminUrl?: string): string {
  const lines = [
    'First admin created / 已创建首个管理员',
    '',
    ...(adminUrl ? [`Sign in:  ${adminUrl}`] : []),
    `Email:    ${admin.email}`,
    `Password: ${admin.password}`,
    '',
    'Shown only this once: change it after the first login',
    '(set ADMIN_PASSWORD to choose it). 密码只显示这一次，请登录后修改。',
  ];
  const width = Math.max(...lines.map(columns));
  const rule = '═'.repeat(width + 4);
  const body = lines.map((line) => `  ║  ${line}${' '.repeat(width - columns(line))}  ║`);
  return ['', `  ╔${rule}╗`, ...body, `  ╚${rule}╝`, '', ''].join('\n');
}
