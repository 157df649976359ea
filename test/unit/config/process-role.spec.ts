import { loadConfig } from '../../../src/config/config';
import { listenPortOf, runsWorkers, servesHttp } from '../../../src/config/process-role';

/** README "Running in production": what each OMS_ROLE runs, decided in one place. */
describe('process roles', () => {
  const config = (env: Record<string, string>) => loadConfig({ DATABASE_URL: 'postgres://oms@db/oms', PORT: '3000', ...env });

  it.each([
    ['all', true, true],
    ['web', true, false],
    ['worker', false, true],
  ])('OMS_ROLE=%s: serves HTTP %s, runs the background loops %s', (role, http, loops) => {
    expect(servesHttp(config({ OMS_ROLE: role }))).toBe(http);
    expect(runsWorkers(config({ OMS_ROLE: role }))).toBe(loops);
  });

  it('WORKER_CONCURRENCY=0 keeps meaning an API-only process', () => {
    expect(runsWorkers(config({ WORKER_CONCURRENCY: '0' }))).toBe(false);
  });

  it('a worker listens on WORKER_PORT when set, else on PORT; the others always on PORT', () => {
    expect(listenPortOf(config({ OMS_ROLE: 'worker', WORKER_PORT: '9100' }))).toBe(9100);
    expect(listenPortOf(config({ OMS_ROLE: 'worker' }))).toBe(3000);
    expect(listenPortOf(config({ OMS_ROLE: 'web', WORKER_PORT: '9100' }))).toBe(3000);
  });
});
