import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { Actor } from '../../common/actor';
import { NotFoundError } from '../../common/errors';
import { isCarrierCode } from '../../tracking/carriers/carriers';
import { TrackingService } from '../../tracking/tracking.service';
import type { OpenedIntegration } from '../integrations.service';
import type { Kuaidi100Push } from '../providers/kuaidi100';

export const integrationActor = (connector: Pick<OpenedIntegration, 'id' | 'name'>): Actor => ({
  kind: 'system', id: `integration:${connector.id}`, name: `integration:${connector.name}`, roles: [], permissions: new Set(),
});

/**
 * A parcel's track from Kuaidi100 (a verified push, or a poll's answer) into our tracking events (issue 15 item 4), through
 * TrackingService.ingest: the same dedupe by carrier event key and the same shipment and order moves (delivered) as
 * POST /api/carriers/{carrier}/events and the simulated carrier.
 */
@Injectable()
export class Kuaidi100Tracks {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly tracking: TrackingService,
  ) {}

  /** `updated` when events were new, `duplicate` when all were known, `ignored` (with why) for a parcel that is not ours. */
  async ingest(connector: Pick<OpenedIntegration, 'id' | 'name'>, push: Kuaidi100Push, carrier = push.carrier): Promise<{ outcome: 'updated' | 'duplicate' | 'ignored'; note?: string }> {
    if (!carrier || !isCarrierCode(carrier)) return { outcome: 'ignored', note: `carrier ${push.company} is not one we ship with` };
    const trackingNumber = push.trackingNumber;
    if (push.monitorStatus === 'abort') {
      // Kuaidi100 stopped watching (no track for days, or the number is wrong): our own polling takes over until delivered
      await this.db.query(
        `UPDATE carrier_tracking_watch SET mode = 'poll', status = 'polling', attempts = 0, next_attempt_at = now(), last_error = $4, updated_at = now()
          WHERE integration_id = $1 AND carrier = $2 AND tracking_number = $3 AND status = 'subscribed'`,
        [connector.id, carrier, trackingNumber, `Kuaidi100 stopped pushing (abort: ${push.monitorMessage || 'no reason given'}); polled instead`.slice(0, 2000)],
      );
    }
    if (push.events.length === 0) return { outcome: 'duplicate' };
    try {
      const { accepted } = await this.tracking.ingest(carrier, trackingNumber, push.events, integrationActor(connector));
      return { outcome: accepted > 0 ? 'updated' : 'duplicate' };
    } catch (error) {
      if (error instanceof NotFoundError) return { outcome: 'ignored', note: `no shipment ${carrier} ${trackingNumber}` };
      throw error;
    }
  }
}
