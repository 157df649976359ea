import { BaseEntity, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** What a dead letter raises (notifications.service.ts raiseDeadLetter). */
export const DEAD_LETTER_ALERT = 'notification_dead';

/**
 * The system_alert row, mapped for the admin (AdminJS resources are entities, STACK trap 6): something a person must look
 * at, e.g. a customer message given up on. NotificationsService raises and resolves them with its own SQL.
 */
@Entity('system_alert')
export class SystemAlert extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'varchar', length: 40 }) kind!: string;
  @Column({ type: 'varchar', length: 100, nullable: true }) reference!: string | null;
  @Column({ type: 'varchar', length: 2000 }) message!: string;
  @Column({ type: 'varchar', length: 20, default: 'open' }) status!: 'open' | 'resolved';
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt!: Date | null;
  @Column({ name: 'resolved_by', type: 'varchar', length: 254, nullable: true }) resolvedBy!: string | null;
}
