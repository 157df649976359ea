import { BaseEntity, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** History: one row per element execution, entered and left. */
@Entity('process_activity')
export class ProcessActivity extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'instance_id', type: 'uuid' }) instanceId!: string;
  @Column({ name: 'element_id', type: 'varchar', length: 100 }) elementId!: string;
  @Column({ name: 'element_type', type: 'varchar', length: 60 }) elementType!: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) name!: string | null;
  @Column({ name: 'execution_id', type: 'varchar', length: 120 }) executionId!: string;
  @Column({ name: 'entered_at', type: 'timestamptz' }) enteredAt!: Date;
  @Column({ name: 'left_at', type: 'timestamptz', nullable: true }) leftAt!: Date | null;
}
