import { AuthService } from '../../src/auth/auth.service';
import { unique } from '../helpers/fixtures';
import { ADMIN_EMAIL, ADMIN_PASSWORD, startTestApp, type TestApp } from '../helpers/test-app';

/** API.md "Conventions" and "Auth": bearer tokens, login throttling, roles, API keys, the error shape. */
describe('authentication and authorisation over HTTP', () => {
  let app: TestApp;
  let auth: Record<string, string>;

  const expectError = (body: unknown, code: string) => {
    expect(body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
    expect((body as { error: { message: string } }).error.message.length).toBeGreaterThan(0);
  };

  /** A user of the given roles, created the way the admin's user screen does. */
  const createUser = async (roles: string[], password = 'user-password-1') => {
    const email = `${unique('user').toLowerCase()}@test.local`;
    await app.running.app.get(AuthService).createUser(email, password, roles);
    return { email, password };
  };

  beforeAll(async () => {
    app = await startTestApp();
    auth = { Authorization: `Bearer ${await app.login()}` };
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('POST /api/auth/login', () => {
    it('the right password is 200 with an access token, its expiry and the user', async () => {
      const response = await app.http.post('/api/auth/login').send({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }).expect(200);
      expect(response.body).toEqual({
        accessToken: expect.any(String),
        expiresAt: expect.any(String),
        user: { id: expect.any(String), email: ADMIN_EMAIL, roles: ['admin'] },
      });
      expect(response.body.accessToken.length).toBeGreaterThanOrEqual(20);
      expect(new Date(response.body.expiresAt).getTime()).toBeGreaterThan(Date.now());
      expect(response.body.expiresAt).toBe(new Date(response.body.expiresAt).toISOString());
      await app.http.get('/api/products').set({ Authorization: `Bearer ${response.body.accessToken}` }).expect(200);
    });

    it('a wrong password is 401 invalid_credentials', async () => {
      const { email } = await createUser(['operator']);
      const response = await app.http.post('/api/auth/login').send({ email, password: 'not-the-password' }).expect(401);
      expectError(response.body, 'invalid_credentials');
    });

    it('an unknown email is 401 with the same code, so it does not tell which accounts exist', async () => {
      const response = await app.http.post('/api/auth/login').send({ email: 'nobody@test.local', password: 'whatever-1' }).expect(401);
      expectError(response.body, 'invalid_credentials');
    });

    it('a login body without a password is 422 validation_failed naming the field', async () => {
      const response = await app.http.post('/api/auth/login').send({ email: ADMIN_EMAIL }).expect(422);
      expectError(response.body, 'validation_failed');
      expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'password' })]));
    });

    it('after 5 failures for one account the next attempt is 429 rate_limited with Retry-After, even with the right password', async () => {
      const { email, password } = await createUser(['operator']);
      for (let attempt = 1; attempt <= 5; attempt++) {
        const response = await app.http.post('/api/auth/login').send({ email, password: `wrong-${attempt}` }).expect(401);
        expectError(response.body, 'invalid_credentials');
      }
      const throttled = await app.http.post('/api/auth/login').send({ email, password: 'wrong-6' }).expect(429);
      expectError(throttled.body, 'rate_limited');
      const retryAfter = Number(throttled.headers['retry-after']);
      expect(Number.isInteger(retryAfter)).toBe(true);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(15 * 60);

      const rightPassword = await app.http.post('/api/auth/login').send({ email, password }).expect(429);
      expectError(rightPassword.body, 'rate_limited');
      expect(rightPassword.body.accessToken).toBeUndefined();
      expect(Number(rightPassword.headers['retry-after'])).toBeGreaterThan(0);
    });

    it('wrong passwords sent 10 at once get no more than 5 checked in the window, however they are sent', async () => {
      const { email, password } = await createUser(['operator']);
      const burst = await Promise.all(
        Array.from({ length: 10 }, (_, attempt) => app.http.post('/api/auth/login').send({ email, password: `wrong-at-once-${attempt}` })),
      );
      expect(burst.every((response) => response.status === 401 || response.status === 429)).toBe(true);
      for (const response of burst.filter((r) => r.status === 429)) {
        expectError(response.body, 'rate_limited');
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      }
      let checked = burst.filter((response) => response.status === 401).length;
      expect(checked).toBeLessThanOrEqual(5);
      // keep guessing one at a time: the account must be throttled after exactly 5 checked passwords in total
      for (;;) {
        const response = await app.http.post('/api/auth/login').send({ email, password: `wrong-one-by-one-${checked}` });
        if (response.status === 429) break;
        expect(response.status).toBe(401);
        checked++;
        expect(checked).toBeLessThanOrEqual(5);
      }
      expect(checked).toBe(5);
      await app.http.post('/api/auth/login').send({ email, password }).expect(429);
    });

    it('throttling one account does not lock out another account', async () => {
      const locked = await createUser(['operator']);
      for (let attempt = 1; attempt <= 5; attempt++) await app.http.post('/api/auth/login').send({ email: locked.email, password: 'wrong' }).expect(401);
      await app.http.post('/api/auth/login').send({ email: locked.email, password: locked.password }).expect(429);
      const other = await createUser(['operator']);
      const response = await app.http.post('/api/auth/login').send({ email: other.email, password: other.password }).expect(200);
      expect(response.body.user.email).toBe(other.email);
    });
  });

  describe('bearer tokens', () => {
    it('no Authorization header is 401 unauthorized on /api/products', async () => {
      const response = await app.http.get('/api/products').expect(401);
      expectError(response.body, 'unauthorized');
    });

    it.each([
      ['a garbage bearer token', 'Bearer garbage'],
      ['a well-formed but unknown token', `Bearer oms_${'x'.repeat(43)}`],
      ['an unknown API key', `Bearer omsk_${'y'.repeat(43)}`],
      ['another scheme', `Basic ${Buffer.from(`${ADMIN_EMAIL}:${ADMIN_PASSWORD}`).toString('base64')}`],
      ['the word Bearer alone', 'Bearer'],
    ])('%s is 401 unauthorized on /api/products', async (_, header) => {
      const response = await app.http.get('/api/products').set('Authorization', header).expect(401);
      expectError(response.body, 'unauthorized');
    });

    it('a rejected token changes nothing: POST /api/products without a token creates no product', async () => {
      const sku = unique('NOAUTH');
      const response = await app.http.post('/api/products').send({ sku, name: 'x', price: '1.00' }).expect(401);
      expectError(response.body, 'unauthorized');
      const lookup = await app.http.get(`/api/products/${sku}`).set(auth).expect(404);
      expectError(lookup.body, 'not_found');
    });

    it('/health needs no token', async () => {
      const response = await app.http.get('/health').expect(200);
      expect(response.body).toMatchObject({ status: 'ok', db: 'ok' });
    });

    it('/api/docs needs no token and its JSON document lists the API paths', async () => {
      const ui = await app.http.get('/api/docs').redirects(1);
      expect(ui.status).toBe(200);
      expect(ui.headers['content-type']).toMatch(/text\/html/);
      const document = await app.http.get('/api/docs-json').expect(200);
      expect(document.body.openapi).toMatch(/^3\./);
      expect(Object.keys(document.body.paths)).toEqual(
        expect.arrayContaining(['/api/auth/login', '/api/products', '/api/warehouses', '/api/inventory', '/api/orders', '/api/orders/{id}']),
      );
    });
  });

  describe('roles', () => {
    let warehouseAuth: Record<string, string>;

    beforeAll(async () => {
      const user = await createUser(['warehouse']);
      warehouseAuth = { Authorization: `Bearer ${await app.login(user.email, user.password)}` };
    });

    it('a warehouse user gets 403 forbidden on POST /api/orders/{id}/approve', async () => {
      const response = await app.http.post('/api/orders/00000000-0000-4000-8000-000000000000/approve').set(warehouseAuth).send({}).expect(403);
      expectError(response.body, 'forbidden');
    });

    it('a warehouse user gets 403 forbidden on POST /api/products and the product is not created', async () => {
      const sku = unique('FORBID');
      const response = await app.http.post('/api/products').set(warehouseAuth).send({ sku, name: 'Forbidden', price: '1.00' }).expect(403);
      expectError(response.body, 'forbidden');
      await app.http.get(`/api/products/${sku}`).set(auth).expect(404);
    });

    it('a warehouse user may read stock: GET /api/inventory is 200', async () => {
      const response = await app.http.get('/api/inventory').set(warehouseAuth).expect(200);
      expect(response.body).toMatchObject({ items: expect.any(Array), page: 1, total: expect.any(Number) });
    });

    it('a warehouse user cannot create API keys (403)', async () => {
      const response = await app.http.post('/api/api-keys').set(warehouseAuth).send({ name: 'sneaky' }).expect(403);
      expectError(response.body, 'forbidden');
    });
  });

  describe('API keys', () => {
    it('an admin creates a key (201, shown once) that then works as a bearer token for GET /api/orders', async () => {
      const created = await app.http.post('/api/api-keys').set(auth).send({ name: 'tmall-sync' }).expect(201);
      expect(created.body).toMatchObject({ id: expect.any(String), name: 'tmall-sync', key: expect.any(String) });
      expect(created.body.key.length).toBeGreaterThanOrEqual(20);

      const orders = await app.http.get('/api/orders').set({ Authorization: `Bearer ${created.body.key}` }).expect(200);
      expect(orders.body).toMatchObject({ items: expect.any(Array), page: 1, total: expect.any(Number) });
    });

    it('an API key with one character changed is 401 unauthorized', async () => {
      const created = await app.http.post('/api/api-keys').set(auth).send({ name: 'wms' }).expect(201);
      const key: string = created.body.key;
      const tampered = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
      const response = await app.http.get('/api/orders').set({ Authorization: `Bearer ${tampered}` }).expect(401);
      expectError(response.body, 'unauthorized');
    });

    it('an API key without a name is 422 validation_failed', async () => {
      const response = await app.http.post('/api/api-keys').set(auth).send({}).expect(422);
      expectError(response.body, 'validation_failed');
      expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path: 'name' })]));
    });
  });
});
