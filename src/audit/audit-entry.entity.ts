import { BaseEntity, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * One audit log entry, mapped for the admin's read-only list (AdminJS resources are entities, STACK trap 6).
 * Written only by AuditService; the table's trigger refuses every UPDATE, DELETE and TRUNCATE.
 */
@Entity('audit_log')
export class AuditEntry extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'timestamptz' }) at!: Date;
  /** The user's email, `api-key:<name>`, `system`, or the email a failed login was tried with. */
  @Column({ type: 'varchar', length: 254 }) actor!: string;
  @Column({ name: 'actor_id', type: 'varchar', length: 100, nullable: true }) actorId!: string | null;
  @Column({ name: 'actor_kind', type: 'varchar', length: 20 }) actorKind!: string;
  @Column({ type: 'varchar', length: 60 }) action!: string;
  @Column({ type: 'varchar', length: 300, nullable: true }) target!: string | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) ip!: string | null;
  @Column({ type: 'jsonb', default: () => "'{}'" }) details!: Record<string, unknown>;
}
