import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A step that failed after its retries; the instance stops there until a person retries it. */
@Entity('incident')
export class Incident extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'instance_id', type: 'uuid' }) instanceId!: string;
  @Column({ name: 'job_id', type: 'bigint', nullable: true }) jobId!: string | null;
  @Column({ name: 'element_id', type: 'varchar', length: 100, nullable: true }) elementId!: string | null;
  @Column({ type: 'text' }) message!: string;
  @Column({ type: 'varchar', length: 20, default: 'open' }) status!: 'open' | 'resolved';
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'resolved_at', type: 'timestamptz', nullable: true }) resolvedAt!: Date | null;
}
