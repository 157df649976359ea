import { BaseEntity, Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A connector (issue 15), mapped for the admin's screens; IntegrationsService writes it. The sealed secrets are never
 * selected by default: only IntegrationsService.open reads them, to check a delivery or the credentials.
 */
@Entity('integration')
export class Integration extends BaseEntity {
  @PrimaryColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 20 }) kind!: string;
  @Column({ type: 'varchar', length: 40 }) name!: string;
  @Column({ type: 'varchar', length: 10 }) status!: 'active' | 'paused';
  @Column({ type: 'jsonb' }) settings!: Record<string, unknown>;
  @Column({ name: 'secret_keys', type: 'text', array: true }) secretKeys!: string[];
  @Column({ name: 'secrets_sealed', type: 'text', select: false }) secretsSealed!: string;
  @Column({ name: 'last_sync_at', type: 'timestamptz', nullable: true }) lastSyncAt!: Date | null;
  @Column({ name: 'last_error', type: 'varchar', length: 2000, nullable: true }) lastError!: string | null;
  @Column({ name: 'last_error_at', type: 'timestamptz', nullable: true }) lastErrorAt!: Date | null;
  @Column({ name: 'created_by', type: 'varchar', length: 254 }) createdBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
