import { BaseEntity, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Warehouse } from './warehouse.entity';

export type StockMovementKind = 'receipt' | 'adjustment' | 'reservation' | 'release' | 'outbound' | 'count' | 'return';

/** The stock ledger: one row for every change of on-hand or reserved units, never updated. */
@Entity('stock_movement')
export class StockMovement extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'warehouse_id', type: 'uuid' }) warehouseId!: string;
  @ManyToOne(() => Warehouse) @JoinColumn({ name: 'warehouse_id' }) warehouse?: Warehouse;
  @Column({ type: 'varchar', length: 64 }) sku!: string;
  @Column({ type: 'varchar', length: 20 }) kind!: StockMovementKind;
  @Column({ name: 'on_hand_delta', type: 'integer' }) onHandDelta!: number;
  @Column({ name: 'reserved_delta', type: 'integer' }) reservedDelta!: number;
  @Column({ name: 'on_hand_after', type: 'integer' }) onHandAfter!: number;
  @Column({ name: 'reserved_after', type: 'integer' }) reservedAfter!: number;
  @Column({ type: 'varchar', length: 100, nullable: true }) reference!: string | null;
  @Column({ type: 'varchar', length: 300, nullable: true }) reason!: string | null;
  @Column({ name: 'created_by', type: 'varchar', length: 254, nullable: true }) createdBy!: string | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
