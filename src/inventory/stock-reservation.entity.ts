import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type ReservationStatus = 'active' | 'released' | 'consumed';

/** Units held for a reference (an order line, a replacement); inventory knows reservations, not orders. */
@Entity('stock_reservation')
export class StockReservation extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'warehouse_id', type: 'uuid' }) warehouseId!: string;
  @Column({ type: 'varchar', length: 64 }) sku!: string;
  @Column({ type: 'integer' }) quantity!: number;
  @Column({ type: 'varchar', length: 100 }) reference!: string;
  @Column({ type: 'varchar', length: 20, default: 'active' }) status!: ReservationStatus;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
