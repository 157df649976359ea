import { loginClient, startAppProcess } from '../helpers/app-process';
import { eventually } from '../helpers/test-app';
import { createTestDatabase } from '../helpers/test-database';

const EMAIL = 'first-admin@test.local';

/**
 * Issue 14 item 12: `npm start` on a fresh embedded database, without ADMIN_PASSWORD and SMTP_URL. The generated password is
 * printed once, in a box, after the service is up and after the demo data's emails; each of those emails is one log line
 * (recipient, subject, idempotency key) without its HTML.
 */
describe('the first start', () => {
  it('prints the generated admin password last, in a box below the ready line; emails are logged one line each, no HTML', async () => {
    const database = await createTestDatabase({ embedded: true });
    const app = await startAppProcess(
      { ...database.env, ADMIN_EMAIL: EMAIL, ADMIN_PASSWORD: '', SMTP_URL: '', DEMO_DATA: 'on', LOG_LEVEL: 'info', ADMIN_ENABLED: 'true', WORKER_POLL_MS: '50' },
      { timeoutMs: 120_000 },
    );
    try {
      const boxStart = await eventually(async () => {
        const at = app.output().indexOf('╔');
        return at >= 0 && app.output().indexOf('╝', at) > 0 ? at : undefined;
      }, { timeoutMs: 90_000, what: 'the first admin box' });
      await new Promise((resolve) => setTimeout(resolve, 2000)); // anything the start still had to say would come now
      const output = app.output();
      const boxEnd = output.indexOf('╝', boxStart);
      const box = output.slice(boxStart, boxEnd + 1);
      expect(box).toContain(`Email:    ${EMAIL}`);
      expect(box).toContain(`Sign in:  ${app.url.replace('127.0.0.1', 'localhost')}/admin`);
      const password = /Password: (\S+)/.exec(box)![1];
      expect(password.length).toBeGreaterThanOrEqual(12);
      expect(output.split(password)).toHaveLength(2); // shown once, nowhere else
      // every line of the box is as wide as the frame (CJK counted as two columns)
      const widths = box.split('\n').map((line) => [...line.trim()].reduce((width, char) => width + (/[\u3000-\u9fff\uff00-\uff60]/.test(char) ? 2 : 1), 0));
      expect(new Set(widths).size).toBe(1);

      // after the ready line and the banner, and after the emails of the start: nothing of the start is printed after it
      const ready = output.search(/process ready in \d+ ms/);
      expect(ready).toBeGreaterThanOrEqual(0);
      expect(ready).toBeLessThan(boxStart);
      expect(output.indexOf('OMS is running')).toBeLessThan(boxStart);
      expect(output.indexOf('password below')).toBeGreaterThan(0);
      const emails = output.split('\n').filter((line) => line.includes('email not sent (no SMTP_URL)'));
      expect(emails.length).toBeGreaterThanOrEqual(3); // the demo orders' confirmations, shipping notices, ...
      expect(output.slice(boxEnd)).not.toContain('email not sent');

      // each email one line: recipient, subject and the outbox's key; no body anywhere in the output
      for (const line of emails) {
        const to = /\\"to\\":\\"([^"\\]+@example\.com)\\"/.exec(line)?.[1];
        expect(to).toBeDefined();
        expect(line).toMatch(/\\"subject\\":\\"[^"\\]+/);
        // the outbox's key: event:subject…:channel:recipient
        expect(line).toContain(`\\"idempotencyKey\\":\\"`);
        expect(/\\"idempotencyKey\\":\\"([^"\\]+)\\"/.exec(line)?.[1]).toMatch(new RegExp(`^[a-z-]+:.+:email:${to!.replace(/[.]/g, '\\.')}$`));
        expect(line.length).toBeLessThan(1000);
      }
      expect(output).not.toMatch(/<html|<!DOCTYPE|<table|<td|&lt;/i);
      expect(output).not.toContain('"text"');

      // and it is the admin's password
      const client = await loginClient(app, EMAIL, password);
      expect((await client('GET', '/api/auth/me')).body).toMatchObject({ email: EMAIL, roles: ['admin'] });
    } finally {
      await app.kill('SIGTERM');
      await database.drop();
    }
  }, 180_000);
});
