import { BaseEntity, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Order } from './order.entity';

@Entity('order_line')
export class OrderLine extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'order_id', type: 'uuid' }) orderId!: string;
  @ManyToOne(() => Order, (order) => order.lines, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'order_id' }) order?: Order;
  @Column({ name: 'line_no', type: 'integer' }) lineNo!: number;
  @Column({ type: 'varchar', length: 64 }) sku!: string;
  @Column({ type: 'varchar', length: 200, default: '' }) name!: string;
  @Column({ type: 'integer' }) quantity!: number;
  @Column({ name: 'unit_price', type: 'numeric', precision: 12, scale: 2 }) unitPrice!: string;
  @Column({ type: 'integer', default: 0 }) reserved!: number;
  @Column({ type: 'integer', default: 0 }) shipped!: number;
}
