import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_DATABASE_URL } from '../helpers/test-database';
import { eventually, startTestApp, type TestApp } from '../helpers/test-app';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** API.md "Backups (G3.4)": take, list, download, verify, delete, on PostgreSQL (pg_dump) and on the embedded database (PGlite). */
describe.each([
  ...(TEST_DATABASE_URL ? [{ name: 'PostgreSQL', embedded: false }] : []),
  { name: 'embedded', embedded: true },
])('backups on $name', ({ embedded }) => {
  let app: TestApp;
  let auth: Record<string, string>;
  const backupDir = mkdtempSync(join(tmpdir(), 'oms-backups-'));

  beforeAll(async () => {
    app = await startTestApp({ embedded, env: { BACKUP_DIR: backupDir } });
    auth = { Authorization: `Bearer ${await app.login()}` };
  });
  afterAll(async () => {
    await app?.close();
    rmSync(backupDir, { recursive: true, force: true });
  });

  const settled = (id: string, statuses: string[]) =>
    eventually(async () => {
      const body = (await app.http.get(`/api/backups/${id}`).set(auth).expect(200)).body;
      return statuses.includes(body.status) && body.verification?.status !== 'running' ? body : undefined;
    }, { timeoutMs: 60_000, intervalMs: 100, what: `backup ${id} in ${statuses.join('/')}` });

  const takeOne = async () => {
    const started = await app.http.post('/api/backups').set(auth).expect(202);
    expect(started.body).toEqual({ id: expect.any(String), status: 'running' });
    return settled(started.body.id, ['completed', 'failed']);
  };

  it('takes a backup: 202 running, then completed with its size and sha256, one file under BACKUP_DIR and no temporary file', async () => {
    const backup = await takeOne();
    expect(backup).toMatchObject({ kind: 'manual', status: 'completed', engine: embedded ? 'pglite' : 'postgresql', encrypted: false });
    expect(backup.error).toBeUndefined();
    expect(new Date(backup.finishedAt).getTime()).toBeGreaterThanOrEqual(new Date(backup.startedAt).getTime());
    const file = readFileSync(join(backupDir, backup.fileName));
    expect(backup.sizeBytes).toBe(file.length);
    expect(backup.sha256).toBe(sha256(file));
    expect(file.subarray(0, embedded ? 2 : 5)).toEqual(embedded ? Buffer.from([0x1f, 0x8b]) : Buffer.from('PGDMP'));
    expect(readdirSync(backupDir).filter((name) => name.endsWith('.partial'))).toEqual([]);
    const sidecar = JSON.parse(readFileSync(join(backupDir, `${backup.fileName}.manifest.json`), 'utf8'));
    expect(sidecar).toMatchObject({ id: backup.id, sha256: backup.sha256, sizeBytes: file.length, keyId: null });
    expect(Object.keys(sidecar.manifest.tables)).toEqual(expect.arrayContaining(['customer_order', 'stock_level', 'workflow_job', 'notification', 'backup']));
    expect(sidecar.manifest.tables.app_user.rows).toBe(1);

    const list = (await app.http.get('/api/backups?page=1&pageSize=10').set(auth).expect(200)).body;
    expect(list).toMatchObject({ page: 1, pageSize: 10, total: 1 });
    expect(list.items[0]).toMatchObject({ id: backup.id, kind: 'manual', status: 'completed', sizeBytes: file.length, sha256: backup.sha256 });
  });

  it('downloads the file as stored, and verifies it by a restore into a scratch database', async () => {
    const [backup] = (await app.http.get('/api/backups').set(auth).expect(200)).body.items;
    const download = await app.http.get(`/api/backups/${backup.id}/download`).set(auth).buffer(true).parse((response, done) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => done(null, Buffer.concat(chunks)));
    }).expect(200);
    expect(download.headers['content-disposition']).toContain(backup.fileName);
    expect(sha256(download.body as Buffer)).toBe(backup.sha256);

    const verifying = await app.http.post(`/api/backups/${backup.id}/verify`).set(auth).expect(202);
    expect(verifying.body.verification.status).toBe('running');
    const verified = await settled(backup.id, ['verified', 'failed']);
    expect(verified.status).toBe('verified');
    expect(verified.verification).toMatchObject({ status: 'passed', differences: [] });
    expect(verified.verification.tables).toBeGreaterThan(20);
    expect(verified.verifiedAt).not.toBeNull();
  });

  it('a flipped byte fails verify, saying what was wrong', async () => {
    const backup = await takeOne();
    const path = join(backupDir, backup.fileName);
    const bytes = readFileSync(path);
    const at = Math.floor(bytes.length * 0.6);
    bytes[at] ^= 0xff;
    writeFileSync(path, bytes);
    await app.http.post(`/api/backups/${backup.id}/verify`).set(auth).expect(202);
    const failed = await settled(backup.id, ['verified', 'failed']);
    expect(failed.status).toBe('failed');
    expect(failed.error).toMatch(/^verify failed: /);
    expect(failed.verification.status).toBe('failed');
  });

  it('refuses what the state does not allow, and unknown ids', async () => {
    await app.http.get('/api/backups/00000000-0000-4000-8000-000000000000').set(auth).expect(404);
    await app.http.get('/api/backups/not-an-id').set(auth).expect(404);
    await app.http.post('/api/backups/00000000-0000-4000-8000-000000000000/verify').set(auth).expect(404);
    await app.http.delete('/api/backups/00000000-0000-4000-8000-000000000000').set(auth).expect(404);
    await app.http.get('/api/backups').expect(401);
  });

  it('deletes a backup and its file: 204, then 404', async () => {
    const backup = await takeOne();
    expect(existsSync(join(backupDir, backup.fileName))).toBe(true);
    await app.http.delete(`/api/backups/${backup.id}`).set(auth).expect(204);
    expect(existsSync(join(backupDir, backup.fileName))).toBe(false);
    expect(existsSync(join(backupDir, `${backup.fileName}.manifest.json`))).toBe(false);
    await app.http.get(`/api/backups/${backup.id}`).set(auth).expect(404);
  });

  it('every backup action is in the audit log', async () => {
    const actions = (await app.http.get('/api/audit-log?action=backup&pageSize=200').set(auth).expect(200)).body.items.map((entry: { action: string }) => entry.action);
    for (const action of ['backup.create', 'backup.download', 'backup.verify', 'backup.delete']) expect(actions).toContain(action);
  });

  it('the schedule is a setting: defaults "0 3 * * *" keep 14; a bad cron expression is 422 and changes nothing', async () => {
    expect((await app.http.get('/api/settings').set(auth).expect(200)).body.backups).toEqual({ schedule: '0 3 * * *', keep: 14 });
    const bad = await app.http.put('/api/settings').set(auth).send({ backups: { schedule: '61 3 * * *' } }).expect(422);
    expect(bad.body.error.code).toBe('validation_failed');
    await app.http.put('/api/settings').set(auth).send({ backups: { schedule: 'every day' } }).expect(422);
    await app.http.put('/api/settings').set(auth).send({ backups: { keep: 0 } }).expect(422);
    expect((await app.http.get('/api/settings').set(auth).expect(200)).body.backups).toEqual({ schedule: '0 3 * * *', keep: 14 });
    expect((await app.http.put('/api/settings').set(auth).send({ backups: { schedule: '30 2 * * 1', keep: 7 } }).expect(200)).body.backups).toEqual({ schedule: '30 2 * * 1', keep: 7 });
  });
});
