import { BaseEntity, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';
import type { CaseStatus, CaseType } from './case-status';

/**
 * The after_sales_case row, mapped for the admin (AdminJS resources are entities, STACK trap 6). AfterSalesService reads
 * and changes cases with its own SQL; nothing writes through this entity.
 */
@Entity('after_sales_case')
export class AfterSalesCase extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 32, unique: true }) number!: string;
  @Column({ name: 'order_id', type: 'uuid' }) orderId!: string;
  @Column({ type: 'varchar', length: 20 }) type!: CaseType;
  @Column({ type: 'varchar', length: 30 }) status!: CaseStatus;
  @Column({ type: 'varchar', length: 500 }) reason!: string;
  @Column({ type: 'varchar', length: 4000, nullable: true }) description!: string | null;
  @Column({ type: 'varchar', length: 254, nullable: true }) owner!: string | null;
  @Column({ name: 'sla_due_at', type: 'timestamptz', nullable: true }) slaDueAt!: Date | null;
  @Column({ name: 'escalated_at', type: 'timestamptz', nullable: true }) escalatedAt!: Date | null;
  @Column({ name: 'received_warehouse_id', type: 'uuid', nullable: true }) receivedWarehouseId!: string | null;
  @Column({ name: 'qc_result', type: 'varchar', length: 10, nullable: true }) qcResult!: 'pass' | 'fail' | null;
  @Column({ name: 'qc_notes', type: 'varchar', length: 2000, nullable: true }) qcNotes!: string | null;
  @Column({ name: 'refund_amount', type: 'numeric', precision: 12, scale: 2, nullable: true }) refundAmount!: string | null;
  @Column({ name: 'refund_reference', type: 'varchar', length: 100, nullable: true }) refundReference!: string | null;
  @Column({ name: 'refunded_at', type: 'timestamptz', nullable: true }) refundedAt!: Date | null;
  @Column({ name: 'process_instance_id', type: 'uuid', nullable: true }) processInstanceId!: string | null;
  @Column({ name: 'opened_by', type: 'varchar', length: 254 }) openedBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true }) closedAt!: Date | null;
}
