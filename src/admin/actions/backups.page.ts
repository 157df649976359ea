import type { PageHandler } from 'adminjs';
import type { Response } from 'express';
import type { BackupsService } from '../../backups/backups.service';
import { can } from '../admin-access';
import type { AdminIdentity } from '../admin-auth';
import type { BackupsPageData, BackupTile } from '../ui-contract';
import { ADMIN_LANGUAGES, languageOf } from '../locale';
import { translateFormText } from '../locale/forms';
import { actAs } from './operator-action';

const OPS = ['take', 'verify', 'delete'] as const;

/**
 * The Backups page (issue 13 item 8): the list, and Take now / Verify / Delete through BackupsService, as the API does them
 * (same checks, same audit entries), for holders of backups.manage read again from the database. Downloads go through
 * BackupDownloadController (a file, not JSON).
 */
export function backupsPage(identity: AdminIdentity, backups: BackupsService): PageHandler {
  return async (request, response, context): Promise<BackupsPageData> => {
    if (!can(context.currentAdmin, 'backups.manage')) return { allowed: false, items: [], tile: null };
    let notice: BackupsPageData['notice'];
    if (request.method === 'post') {
      const payload = (request.payload ?? {}) as Record<string, unknown>;
      const op = OPS.find((name) => name === payload.op);
      const id = typeof payload.id === 'string' ? payload.id : '';
      const outcome = op
        ? await actAs(identity, 'backups.manage', request, response as Response | undefined, context, async (actor, ip) => {
            const by = { actor, ip };
            if (op === 'take') return `backup ${(await backups.take('manual', by))!.id} started`;
            if (op === 'verify') return `verifying backup ${(await backups.verify(id, by)).id}`;
            await backups.delete(id, by);
            return `backup ${id} deleted`;
          })
        : { refused: 'unknown operation' };
      // issue 14: in the operator's language (actAs translates its refusals; the rest is said here)
      const said = (message: string) => translateFormText(message, languageOf(context.currentAdmin, ADMIN_LANGUAGES[0]));
      notice = 'refused' in outcome ? { type: 'error', message: said(outcome.refused) } : { type: 'success', message: said(outcome.done) };
    }
    const { items } = await backups.list({ page: 1, pageSize: 100 });
    return { allowed: true, items, tile: await backupTile(backups), notice };
  };
}

/** The dashboard's "last verified backup": red when it is older than two schedule periods (or there is none). */
export async function backupTile(backups: BackupsService): Promise<BackupTile> {
  const health = await backups.health();
  return {
    verifiedAt: health.lastVerified?.verifiedAt ?? null,
    takenAt: health.lastVerified?.startedAt ?? null,
    schedule: health.schedule,
    stale: health.stale,
    url: '/admin/pages/backups',
  };
}
