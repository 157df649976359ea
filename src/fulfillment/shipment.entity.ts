import { BaseEntity, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Warehouse } from '../inventory/warehouse.entity';
import { ShipmentLine } from './shipment-line.entity';

export const SHIPMENT_STATUSES = ['allocated', 'picking', 'packed', 'shipped', 'in_transit', 'delivered', 'exception', 'cancelled'] as const;
export type ShipmentStatus = (typeof SHIPMENT_STATUSES)[number];

@Entity('shipment')
export class Shipment extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'order_id', type: 'uuid' }) orderId!: string;
  @Column({ name: 'warehouse_id', type: 'uuid' }) warehouseId!: string;
  @ManyToOne(() => Warehouse) @JoinColumn({ name: 'warehouse_id' }) warehouse?: Warehouse;
  @Column({ type: 'varchar', length: 20, default: 'allocated' }) status!: ShipmentStatus;
  @Column({ type: 'varchar', length: 20, nullable: true }) carrier!: string | null;
  @Column({ name: 'tracking_number', type: 'varchar', length: 60, nullable: true }) trackingNumber!: string | null;
  @Column({ name: 'shipped_at', type: 'timestamptz', nullable: true }) shippedAt!: Date | null;
  @Column({ name: 'pick_list_id', type: 'uuid', nullable: true }) pickListId!: string | null;
  @Column({ name: 'packed_at', type: 'timestamptz', nullable: true }) packedAt!: Date | null;
  @Column({ name: 'packed_by', type: 'varchar', length: 254, nullable: true }) packedBy!: string | null;
  /** Why allocation chose this warehouse (G1.3). */
  @Column({ name: 'allocation_reason', type: 'varchar', length: 2000, nullable: true }) allocationReason!: string | null;
  /** Order merge: the shipment this one travels with as one parcel. */
  @Column({ name: 'merged_into', type: 'uuid', nullable: true }) mergedInto!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @OneToMany(() => ShipmentLine, (line) => line.shipment) lines?: ShipmentLine[];
}
