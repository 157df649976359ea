import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { useAdminApp } from '../helpers/admin-session';
import { unique } from '../helpers/fixtures';

/**
 * Issue 11 item 4 (G3.3): one email normalisation for the lookup and the throttle key; growing delays per account, per
 * address and per device instead of a hard lock; a device cookie lets the account's owner in while an attacker is held
 * back; passwords taken exactly as typed by the API and the admin form alike.
 */
describe('login throttling with back-off and device cookies', () => {
  const admin = useAdminApp();
  const http = () => admin.app.http;
  const db = () => admin.app.running.app.get(DataSource);
  const PASSWORD = 'throttled-password-1';
  let address = 0;
  /** A client address of its own for each caller (the app trusts X-Forwarded-For from the loopback proxy). */
  const newAddress = () => `10.20.${Math.floor(++address / 250)}.${address % 250}`;

  const createUser = async (email = `${unique('throttle')}@test.local`.toLowerCase(), password = PASSWORD) => {
    await http().post('/api/users').set(admin.auth).send({ email, name: 'Throttled', password, roles: ['operator'] }).expect(201);
    return { email, password };
  };
  const login = (email: string, password: string, from: string, cookie?: string) => {
    const request = http().post('/api/auth/login').set('X-Forwarded-For', from).send({ email, password });
    return cookie ? request.set('Cookie', cookie) : request;
  };
  const deviceCookieOf = (response: Response) => {
    const header = (response.headers['set-cookie'] as unknown as string[] | undefined)?.find((cookie) => cookie.startsWith('oms_device='));
    return header ? { pair: header.split(';')[0], header } : undefined;
  };
  const retryAfter = (response: Response) => Number(response.headers['retry-after']);
  /** As if the account's failures had happened `seconds` earlier (the tests never wait for a delay to pass). */
  const age = (subject: string, seconds: number) => db().query(`UPDATE login_failure SET at = at - make_interval(secs => $2) WHERE subject = $1`, [subject, seconds]);

  it('normalises the email once: fİnance@ (dotted capital I) is another, unknown account, never extra guesses at finance@', async () => {
    const user = await createUser(`finance-${Date.now().toString(36)}@test.local`);
    const from = newAddress();
    const dotted = user.email.replace('finance', 'fİnance');
    // the right password under the other spelling finds no account (PostgreSQL's lower() used to find finance@ here)
    await login(dotted, user.password, from).expect(401);
    for (let attempt = 1; attempt <= 4; attempt++) await login(user.email, `wrong-${attempt}`, from).expect(401);
    // one more failure spelled in capitals and with spaces is the same account's fifth
    await login(`  ${user.email.toUpperCase()} `, 'wrong-5', from).expect(401);
    const throttled = await login(user.email, user.password, from).expect(429);
    expect(throttled.body.error.code).toBe('rate_limited');
    await login(user.email.toUpperCase(), user.password, newAddress()).expect(429);
    await login(dotted, user.password, newAddress()).expect(401);
  });

  it('holds an account back with growing delays after 5 failures, never for good', async () => {
    const user = await createUser();
    const subject = `account:${user.email}`;
    for (let attempt = 1; attempt <= 5; attempt++) await login(user.email, `wrong-${attempt}`, newAddress()).expect(401);
    const first = await login(user.email, 'wrong-6', newAddress()).expect(429);
    expect(retryAfter(first)).toBeGreaterThan(0);
    expect(retryAfter(first)).toBeLessThanOrEqual(60);

    await age(subject, 61);
    await login(user.email, 'wrong-6', newAddress()).expect(401);
    const second = await login(user.email, 'wrong-7', newAddress()).expect(429);
    expect(retryAfter(second)).toBeGreaterThan(60);
    expect(retryAfter(second)).toBeLessThanOrEqual(120);

    await age(subject, 121);
    await login(user.email, 'wrong-7', newAddress()).expect(401);
    const third = await login(user.email, 'wrong-8', newAddress()).expect(429);
    expect(retryAfter(third)).toBeGreaterThan(120);
    expect(retryAfter(third)).toBeLessThanOrEqual(240);

    // however many failures, the wait is at most 15 minutes, and then the right password gets in
    await db().query(`INSERT INTO login_failure (subject) SELECT $1 FROM generate_series(1, 40)`, [subject]);
    const capped = await login(user.email, user.password, newAddress()).expect(429);
    expect(retryAfter(capped)).toBeLessThanOrEqual(15 * 60);
    await age(subject, 15 * 60 + 1);
    await login(user.email, user.password, newAddress()).expect(200);
    // a success forgets the account's failures
    for (let attempt = 1; attempt <= 5; attempt++) await login(user.email, `again-${attempt}`, newAddress()).expect(401);
  });

  it('holds an address back after 30 failures, whatever accounts it tries; other addresses go on', async () => {
    const user = await createUser();
    const from = newAddress();
    await db().query(`INSERT INTO login_failure (subject) SELECT $1 FROM generate_series(1, 30)`, [`address:${from}`]);
    const throttled = await login(user.email, user.password, from).expect(429);
    expect(retryAfter(throttled)).toBeGreaterThan(0);
    await login(user.email, user.password, newAddress()).expect(200);
  });

  it("lets the account's owner in with the device cookie while an attacker is held back (API)", async () => {
    const owner = await createUser();
    const home = newAddress();
    const first = await login(owner.email, owner.password, home).expect(200);
    const device = deviceCookieOf(first);
    expect(device?.header).toMatch(/HttpOnly/i);
    expect(device?.header).toMatch(/SameSite=Strict/i);
    expect(device?.header).toMatch(/Path=\//);

    const attacker = newAddress();
    for (let attempt = 1; attempt <= 5; attempt++) await login(owner.email, `guess-${attempt}`, attacker).expect(401);
    await login(owner.email, 'guess-6', attacker).expect(429);
    // the right password without the cookie is held back too: the attacker cannot tell
    await login(owner.email, owner.password, newAddress()).expect(429);

    const back = await login(owner.email, owner.password, home, device!.pair).expect(200);
    expect(back.body.user.email).toBe(owner.email);
    // the attacker's guesses still count against the account
    await login(owner.email, 'guess-7', attacker).expect(429);
    await login(owner.email, owner.password, home, deviceCookieOf(back)!.pair).expect(200);
  });

  it("a device cookie is worth nothing for another account, when tampered with, or after its own 5 failures", async () => {
    const owner = await createUser();
    const other = await createUser();
    const device = deviceCookieOf(await login(other.email, other.password, newAddress()).expect(200))!;
    for (let attempt = 1; attempt <= 5; attempt++) await login(owner.email, `guess-${attempt}`, newAddress()).expect(401);
    await login(owner.email, owner.password, newAddress(), device.pair).expect(429);
    const tampered = device.pair.slice(0, -2) + (device.pair.endsWith('AA') ? 'BB' : 'AA');
    await login(owner.email, owner.password, newAddress(), tampered).expect(429);

    // a stolen cookie is throttled by its own failures: it gives no extra guesses
    const mine = deviceCookieOf(await login(other.email, other.password, newAddress()).expect(200))!;
    for (let attempt = 1; attempt <= 5; attempt++) await login(other.email, `stolen-${attempt}`, newAddress(), mine.pair).expect(401);
    await login(other.email, other.password, newAddress(), mine.pair).expect(429);
  });

  it("lets the owner in through the admin's login form with the device cookie while an attacker is held back", async () => {
    const owner = await createUser();
    const device = deviceCookieOf(await http().post('/admin/login').set('X-Forwarded-For', newAddress()).type('form').send({ email: owner.email, password: owner.password }).expect(302))!;
    expect(device).toBeDefined();
    const attacker = newAddress();
    for (let attempt = 1; attempt <= 5; attempt++) {
      const refused = await http().post('/admin/login').set('X-Forwarded-For', attacker).type('form').send({ email: owner.email, password: `guess-${attempt}` });
      expect(refused.status).not.toBe(302);
    }
    const held = await http().post('/admin/login').set('X-Forwarded-For', attacker).type('form').send({ email: owner.email, password: owner.password });
    expect(held.status).toBe(400);
    expect(held.text).toMatch(/Too many failed logins/);
    await http().post('/admin/login').set('X-Forwarded-For', newAddress()).set('Cookie', device.pair).type('form').send({ email: owner.email, password: owner.password }).expect(302);
    // the API's login honours the cookie the admin form gave, and the other way round
    await login(owner.email, owner.password, newAddress(), device.pair).expect(200);
  });

  it('takes passwords exactly as typed in the API and the admin form: spaces are part of them', async () => {
    const user = await createUser(`${unique('spaces')}@test.local`.toLowerCase(), '  leading and trailing  ');
    await login(user.email, 'leading and trailing', newAddress()).expect(401);
    const trimmedForm = await http().post('/admin/login').set('X-Forwarded-For', newAddress()).type('form').send({ email: user.email, password: 'leading and trailing' });
    expect(trimmedForm.status).not.toBe(302);
    await http().post('/admin/login').set('X-Forwarded-For', newAddress()).type('form').send({ email: ` ${user.email.toUpperCase()}`, password: user.password }).expect(302);
    await login(user.email, user.password, newAddress()).expect(200);
  });
});
