import { DataSource } from 'typeorm';
import { adminSignInWithRole, useAdminApp } from '../helpers/admin-session';
import { eventually } from '../helpers/test-app';

/** Issue 13 item 8 over AdminJS's API: the Backups page acts for holders of backups.manage only, and its tile is on the dashboard. */
describe('the admin Backups page (AdminJS API)', () => {
  const admin = useAdminApp();
  const page = '/admin/api/pages/backups';
  const http = () => admin.app.http;

  it('an admin takes, verifies and deletes a backup through the page; the dashboard has the tile', async () => {
    const taken = await http().post(page).type('form').send({ op: 'take' }).set('Cookie', admin.adminCookie).expect(200);
    expect(taken.body).toMatchObject({ allowed: true, notice: { type: 'success', message: expect.stringMatching(/^backup .* started$/) } });
    const id = taken.body.items[0].id;
    await eventually(async () => ((await http().get(page).set('Cookie', admin.adminCookie)).body.items[0].status === 'completed' ? true : undefined), { timeoutMs: 60_000 });
    await http().post(page).type('form').send({ op: 'verify', id }).set('Cookie', admin.adminCookie).expect(200);
    const verified = await eventually(async () => {
      const body = (await http().get(page).set('Cookie', admin.adminCookie)).body;
      return body.items[0].status === 'verified' ? body : undefined;
    }, { timeoutMs: 60_000 });
    expect(verified.tile).toMatchObject({ stale: false, schedule: '0 3 * * *' });
    const dashboard = (await http().get('/admin/api/dashboard').set('Cookie', admin.adminCookie).expect(200)).body;
    expect(dashboard.counts.backups).toMatchObject({ stale: false, url: '/admin/pages/backups' });

    // red once the last verified backup is older than two schedule periods (daily: 48 hours)
    const db = admin.app.running.app.get(DataSource);
    const tileAt = async (hoursAgo: number) => {
      await db.query(`UPDATE backup SET started_at = now() - make_interval(hours => $2) WHERE id = $1`, [id, hoursAgo]);
      return (await http().get('/admin/api/dashboard').set('Cookie', admin.adminCookie).expect(200)).body.counts.backups.stale;
    };
    expect(await tileAt(47)).toBe(false);
    expect(await tileAt(49)).toBe(true);
    expect((await http().put('/api/settings').set(admin.auth).send({ backups: { schedule: '0 3 * * 1' } }).expect(200)).body.backups.schedule).toBe('0 3 * * 1');
    expect(await tileAt(49)).toBe(false); // weekly: two weeks
    expect(await tileAt(15 * 24)).toBe(true);

    const deleted = await http().post(page).type('form').send({ op: 'delete', id }).set('Cookie', admin.adminCookie).expect(200);
    expect(deleted.body).toMatchObject({ notice: { type: 'success' }, items: [] });
    const unknown = await http().post(page).type('form').send({ op: 'verify', id }).set('Cookie', admin.adminCookie).expect(200);
    expect(unknown.body.notice).toMatchObject({ type: 'error', message: expect.stringContaining('not found') });
  });

  it('a role without backups.manage sees nothing, can do nothing, and has no tile', async () => {
    const cookie = await adminSignInWithRole(admin.app, 'operator');
    expect((await http().get(page).set('Cookie', cookie).expect(200)).body).toEqual({ allowed: false, items: [], tile: null });
    expect((await http().post(page).type('form').send({ op: 'take' }).set('Cookie', cookie).expect(200)).body.allowed).toBe(false);
    expect((await http().get('/api/backups').set(admin.auth).expect(200)).body.total).toBe(0);
    expect((await http().get('/admin/api/dashboard').set('Cookie', cookie).expect(200)).body.counts.backups).toBeUndefined();
    await http().get('/admin/backups/00000000-0000-4000-8000-000000000000/download').set('Cookie', cookie).expect(403);
  });
});
