import { BaseEntity, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Order } from './order.entity';

@Entity('order_status_history')
export class OrderStatusHistory extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ name: 'order_id', type: 'uuid' }) orderId!: string;
  @ManyToOne(() => Order, (order) => order.history, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'order_id' }) order?: Order;
  @Column({ type: 'timestamptz' }) at!: Date;
  @Column({ name: 'from_status', type: 'varchar', length: 30, nullable: true }) fromStatus!: string | null;
  @Column({ name: 'to_status', type: 'varchar', length: 30 }) toStatus!: string;
  @Column({ type: 'varchar', length: 254 }) by!: string;
  @Column({ type: 'varchar', length: 1000, nullable: true }) note!: string | null;
}
