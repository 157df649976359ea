import { ConfigError, loadConfig, publicUrlOf } from '../../../src/config/config';

/** README "Configuration": every variable validated at start; a wrong value names the variable, secrets are never echoed. */
describe('loadConfig', () => {
  const failure = (env: Record<string, string>): ConfigError => {
    try {
      loadConfig(env);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
  };

  it('an empty environment gives the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      DATA_DIR: './data',
      ADMIN_EMAIL: 'admin@example.com',
      MAIL_FROM: 'OMS <no-reply@oms.local>',
      LOG_LEVEL: 'info',
      DEMO_DATA: 'auto',
      WORKER_CONCURRENCY: 4,
      WORKER_LEASE_SECONDS: 30,
      ADMIN_ENABLED: true,
    });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.ADMIN_PASSWORD).toBeUndefined();
    expect(config.SMTP_URL).toBeUndefined();
  });

  it('the configuration is frozen', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('reads valid values, trimming spaces and treating empty optional values as unset', () => {
    const config = loadConfig({
      PORT: ' 8080 ',
      DATABASE_URL: 'postgresql://oms:secret@db:5432/oms',
      ADMIN_EMAIL: 'Ops@Example.COM',
      ADMIN_PASSWORD: 'long-enough-1',
      SMTP_URL: '',
      LOG_LEVEL: 'debug',
      WORKER_CONCURRENCY: '0',
      ADMIN_ENABLED: 'false',
    });
    expect(config).toMatchObject({
      PORT: 8080,
      DATABASE_URL: 'postgresql://oms:secret@db:5432/oms',
      ADMIN_EMAIL: 'ops@example.com',
      ADMIN_PASSWORD: 'long-enough-1',
      LOG_LEVEL: 'debug',
      WORKER_CONCURRENCY: 0,
      ADMIN_ENABLED: false,
    });
    expect(config.SMTP_URL).toBeUndefined();
  });

  it.each(['abc', '-1', '65536', '80.5', '3000abc'])('PORT=%s is a ConfigError naming PORT', (port) => {
    const error = failure({ PORT: port });
    expect(error.message).toContain('PORT');
    expect(error.problems).toEqual([expect.stringMatching(/^PORT: /)]);
  });

  it('DATABASE_URL=mysql://x names DATABASE_URL and does not echo the value', () => {
    const error = failure({ DATABASE_URL: 'mysql://root:hunter2@db/x' });
    expect(error.message).toContain('DATABASE_URL');
    expect(error.message).not.toContain('mysql://');
    expect(error.message).not.toContain('hunter2');
  });

  it('an ADMIN_PASSWORD shorter than 12 characters names the variable without echoing it', () => {
    const error = failure({ ADMIN_PASSWORD: 'pw12345' });
    expect(error.message).toContain('ADMIN_PASSWORD');
    expect(error.message).toContain('12');
    expect(error.message).not.toContain('pw12345');
  });

  it('an ADMIN_PASSWORD from the common-password list or equal to ADMIN_EMAIL is refused; spaces are kept', () => {
    expect(failure({ ADMIN_PASSWORD: 'qwerty123456' }).message).toMatch(/ADMIN_PASSWORD: .*common/);
    const same = failure({ ADMIN_EMAIL: 'ops.manager@shop.cn', ADMIN_PASSWORD: 'ops.manager@shop.cn' });
    expect(same.problems).toEqual([expect.stringMatching(/^ADMIN_PASSWORD: must not be the email/)]);
    expect(same.message).not.toContain('ops.manager@shop.cn');
    expect(loadConfig({ ADMIN_PASSWORD: ' spaced secret 1 ' }).ADMIN_PASSWORD).toBe(' spaced secret 1 ');
  });

  it('METRICS_TOKEN: unset by default; a short one or one with spaces names the variable without echoing it', () => {
    expect(loadConfig({}).METRICS_TOKEN).toBeUndefined();
    expect(loadConfig({ METRICS_TOKEN: 'scraper-token-0123456789abcdef' }).METRICS_TOKEN).toBe('scraper-token-0123456789abcdef');
    for (const token of ['short-secret-42', 'a scraper token with spaces 0123']) {
      const error = failure({ METRICS_TOKEN: token });
      expect(error.problems).toEqual([expect.stringMatching(/^METRICS_TOKEN: must be 24 to 200 printable characters/)]);
      expect(error.message).not.toContain(token);
    }
  });

  it('INTEGRATIONS_KEY (issue 15): unset by default; 32 bytes as hex or base64; anything else names the variable without echoing it', () => {
    expect(loadConfig({}).INTEGRATIONS_KEY).toBeUndefined();
    const hex = 'a'.repeat(64);
    expect(loadConfig({ INTEGRATIONS_KEY: hex }).INTEGRATIONS_KEY).toBe(hex);
    for (const key of ['a'.repeat(63), 'my-integrations-password-is-long-enough']) {
      const error = failure({ INTEGRATIONS_KEY: key });
      expect(error.problems).toEqual([expect.stringMatching(/^INTEGRATIONS_KEY: must be 32 bytes/)]);
      expect(error.message).not.toContain(key);
    }
  });

  it('a bad SMTP_URL names the variable without echoing its credentials', () => {
    const error = failure({ SMTP_URL: 'http://user:s3cret@mail' });
    expect(error.message).toContain('SMTP_URL');
    expect(error.message).not.toContain('s3cret');
  });

  it('LOG_LEVEL=loud is rejected, naming LOG_LEVEL and what it got', () => {
    const error = failure({ LOG_LEVEL: 'loud' });
    expect(error.message).toContain('LOG_LEVEL');
    expect(error.message).toContain('loud');
  });

  it.each([
    ['ADMIN_EMAIL', 'not-an-email'],
    ['DEMO_DATA', 'sometimes'],
    ['WORKER_CONCURRENCY', '65'],
    ['WORKER_LEASE_SECONDS', '0'],
    ['ADMIN_ENABLED', 'yes'],
    ['NODE_ENV', 'staging'],
  ])('%s=%s is rejected naming the variable', (name, value) => {
    expect(failure({ [name]: value }).message).toContain(name);
  });

  it('every wrong variable is reported at once, one problem per variable', () => {
    const error = failure({ PORT: 'abc', LOG_LEVEL: 'loud', ADMIN_PASSWORD: 'short' });
    expect(error.problems).toHaveLength(3);
    expect(error.problems.map((problem) => problem.split(':')[0]).sort()).toEqual(['ADMIN_PASSWORD', 'LOG_LEVEL', 'PORT']);
  });

  it('process roles (issue 12 item 6): all by default, web when WORKERS forks workers, and only on PostgreSQL', () => {
    const postgres = { DATABASE_URL: 'postgres://oms@db/oms' };
    expect(loadConfig({})).toMatchObject({ OMS_ROLE: 'all', WORKERS: 0, SHUTDOWN_TIMEOUT_MS: 25_000 });
    expect(loadConfig({}).WORKER_PORT).toBeUndefined();
    expect(loadConfig({ ...postgres, WORKERS: '2' })).toMatchObject({ OMS_ROLE: 'web', WORKERS: 2 });
    expect(loadConfig({ ...postgres, WORKERS: '2', OMS_ROLE: 'all' }).OMS_ROLE).toBe('all');
    expect(loadConfig({ ...postgres, OMS_ROLE: 'worker', WORKER_PORT: '9100' })).toMatchObject({ OMS_ROLE: 'worker', WORKER_PORT: 9100 });
    expect(failure({ WORKERS: '2' }).problems).toEqual([expect.stringMatching(/^WORKERS: worker processes need PostgreSQL \(DATABASE_URL\)/)]);
    expect(failure({ OMS_ROLE: 'web' }).problems).toEqual([expect.stringMatching(/^OMS_ROLE: .*need PostgreSQL/)]);
    expect(failure({ ...postgres, OMS_ROLE: 'worker', WORKER_CONCURRENCY: '0' }).problems).toEqual([expect.stringMatching(/^OMS_ROLE: a worker with WORKER_CONCURRENCY=0/)]);
    expect(failure({ OMS_ROLE: 'api' }).problems).toEqual([expect.stringMatching(/^OMS_ROLE: /)]);
    expect(failure({ WORKERS: '65' }).problems).toEqual([expect.stringMatching(/^WORKERS: /)]);
    expect(failure({ SHUTDOWN_TIMEOUT_MS: '10' }).problems).toEqual([expect.stringMatching(/^SHUTDOWN_TIMEOUT_MS: /)]);
  });

  it('links start with PUBLIC_URL, else the older PUBLIC_BASE_URL, else this machine and PORT (issue 11 item 6)', () => {
    expect(publicUrlOf(loadConfig({ PORT: '8080' }))).toBe('http://localhost:8080');
    expect(publicUrlOf(loadConfig({ PUBLIC_BASE_URL: 'https://old.example.com/' }))).toBe('https://old.example.com');
    expect(publicUrlOf(loadConfig({ PUBLIC_URL: 'https://shop.example.com/oms/', PUBLIC_BASE_URL: 'https://old.example.com' }))).toBe('https://shop.example.com/oms');
    expect(failure({ PUBLIC_URL: 'javascript:alert(1)' }).problems[0]).toMatch(/^PUBLIC_URL: /);
    expect(failure({ PUBLIC_URL: 'https://shop.example.com/?next=evil' }).problems[0]).toMatch(/^PUBLIC_URL: /);
  });
});
