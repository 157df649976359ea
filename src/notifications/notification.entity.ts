import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type NotificationStatus = 'pending' | 'sending' | 'sent' | 'dead';

/** The outbox: a message to send, committed with the business change that caused it. */
@Entity('notification')
export class Notification extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'idempotency_key', type: 'varchar', length: 200, unique: true }) idempotencyKey!: string;
  @Column({ type: 'varchar', length: 10 }) channel!: 'email' | 'sms';
  @Column({ type: 'varchar', length: 60 }) event!: string;
  @Column({ type: 'varchar', length: 10 }) locale!: string;
  @Column({ type: 'varchar', length: 254 }) recipient!: string;
  @Column({ type: 'varchar', length: 100, nullable: true }) reference!: string | null;
  @Column({ type: 'jsonb' }) data!: Record<string, unknown>;
  @Column({ type: 'varchar', length: 20, default: 'pending' }) status!: NotificationStatus;
  @Column({ type: 'integer', default: 0 }) attempts!: number;
  @Column({ name: 'next_attempt_at', type: 'timestamptz' }) nextAttemptAt!: Date;
  @Column({ name: 'last_error', type: 'text', nullable: true }) lastError!: string | null;
  @Column({ name: 'provider_message_id', type: 'varchar', length: 300, nullable: true }) providerMessageId!: string | null;
  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true }) sentAt!: Date | null;
  /** What the customer received (issue 14 item 13): kept when sent, as templates change afterwards. */
  @Column({ name: 'sent_subject', type: 'text', nullable: true, select: false }) sentSubject!: string | null;
  @Column({ name: 'sent_text', type: 'text', nullable: true, select: false }) sentText!: string | null;
  @Column({ name: 'sent_html', type: 'text', nullable: true, select: false }) sentHtml!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
