import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/config';
import { backoffSeconds } from '../../database/work-loops';

/** The delay after the n-th failed try: CARRIER_RETRY_BASE_SECONDS, doubling, at most an hour. */
export const retrySeconds = (config: Pick<AppConfig, 'CARRIER_RETRY_BASE_SECONDS'>, attempt: number) =>
  backoffSeconds(attempt, { baseSeconds: config.CARRIER_RETRY_BASE_SECONDS, capSeconds: 3600 });

/** A dead letter of the carrier work, for a person (the admin's system alerts, as notifications' dead letters). */
export async function raiseCarrierAlert(db: DataSource, kind: string, reference: string, message: string): Promise<void> {
  await db.query(`INSERT INTO system_alert (kind, reference, message) VALUES ($1, $2, $3)`, [kind, reference.slice(0, 100), message.slice(0, 2000)]);
}
