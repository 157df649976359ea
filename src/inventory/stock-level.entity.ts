import { BaseEntity, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Warehouse } from './warehouse.entity';

/** On-hand and reserved units of one SKU in one warehouse; `reserved <= on_hand` is a database CHECK. */
@Entity('stock_level')
export class StockLevel extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'warehouse_id', type: 'uuid' }) warehouseId!: string;
  @ManyToOne(() => Warehouse) @JoinColumn({ name: 'warehouse_id' }) warehouse?: Warehouse;
  @Column({ type: 'varchar', length: 64 }) sku!: string;
  @Column({ type: 'varchar', length: 40, nullable: true }) bin!: string | null;
  @Column({ name: 'on_hand', type: 'integer', default: 0 }) onHand!: number;
  @Column({ type: 'integer', default: 0 }) reserved!: number;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
