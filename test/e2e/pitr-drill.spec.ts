import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * README "Point-in-time recovery": the pgBackRest procedure, run end to end by ops/pitr-drill.sh on a private cluster
 * (WAL archiving, a full backup, rows after it, a mistake, a restore to just before the mistake). .ci/run installs pgbackrest.
 */
describe('point-in-time recovery with pgBackRest (issue 13 item 7)', () => {
  it('restores to the moment before a mistake: the rows written after the backup are back, the mistake is not', () => {
    const result = spawnSync('bash', [join(__dirname, '..', '..', 'ops', 'pitr-drill.sh')], { encoding: 'utf8', timeout: 170_000 });
    const output = `${result.stdout}${result.stderr}`;
    expect(output).toContain('restored rows (before / after the backup): 100 100');
    expect(output).toContain('PITR drill passed');
    expect(result.status).toBe(0);
  }, 180_000);
});
