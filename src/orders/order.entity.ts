import {
  BaseEntity, Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn, UpdateDateColumn,
} from 'typeorm';
import type { OrderStatus } from './order-status';
import { OrderLine } from './order-line.entity';
import { OrderStatusHistory } from './order-status-history.entity';

export interface OrderFlag {
  code: string;
  message: string;
  /** out_of_stock raised by allocation: the SKU most short and by how many units (G2.6 stock queue), and every short SKU. */
  sku?: string;
  shortfall?: number;
  shortages?: StockShortage[];
}

/** A SKU an order waits for: units it still lacks, units the active warehouses have now, and how many more must arrive. */
export interface StockShortage {
  sku: string;
  needed: number;
  available: number;
  shortfall: number;
}

export interface ShippingAddress {
  province: string;
  city: string;
  district?: string;
  line1: string;
  postalCode?: string;
  country?: string;
}

@Entity('customer_order')
export class Order extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 32, unique: true }) number!: string;
  @Column({ type: 'varchar', length: 40 }) channel!: string;
  @Column({ name: 'external_id', type: 'varchar', length: 100 }) externalId!: string;
  @Column({ type: 'varchar', length: 30 }) status!: OrderStatus;
  @Column({ type: 'jsonb', default: () => "'[]'" }) flags!: OrderFlag[];
  @Column({ name: 'customer_name', type: 'varchar', length: 100 }) customerName!: string;
  @Column({ name: 'customer_phone', type: 'varchar', length: 40 }) customerPhone!: string;
  @Column({ name: 'customer_email', type: 'varchar', length: 254, nullable: true }) customerEmail!: string | null;
  @Column({ name: 'customer_locale', type: 'varchar', length: 10, nullable: true }) customerLocale!: string | null;
  @Column({ name: 'shipping_address', type: 'jsonb' }) shippingAddress!: ShippingAddress;
  @Column({ name: 'payment_method', type: 'varchar', length: 40 }) paymentMethod!: string;
  @Column({ name: 'payment_status', type: 'varchar', length: 20 }) paymentStatus!: 'paid' | 'pending';
  @Column({ name: 'payment_amount', type: 'numeric', precision: 12, scale: 2, nullable: true }) paymentAmount!: string | null;
  @Column({ name: 'payment_reference', type: 'varchar', length: 100, nullable: true }) paymentReference!: string | null;
  @Column({ name: 'paid_at', type: 'timestamptz', nullable: true }) paidAt!: Date | null;
  @Column({ name: 'items_total', type: 'numeric', precision: 12, scale: 2 }) itemsTotal!: string;
  @Column({ name: 'shipping_fee', type: 'numeric', precision: 12, scale: 2, default: 0 }) shippingFee!: string;
  @Column({ name: 'grand_total', type: 'numeric', precision: 12, scale: 2 }) grandTotal!: string;
  @Column({ type: 'varchar', length: 1000, nullable: true }) notes!: string | null;
  @Column({ name: 'placed_at', type: 'timestamptz' }) placedAt!: Date;
  @Column({ name: 'process_instance_id', type: 'uuid', nullable: true }) processInstanceId!: string | null;
  @Column({ name: 'approved_by', type: 'varchar', length: 254, nullable: true }) approvedBy!: string | null;
  @Column({ name: 'approved_at', type: 'timestamptz', nullable: true }) approvedAt!: Date | null;
  @Column({ type: 'integer', default: 1 }) version!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @OneToMany(() => OrderLine, (line) => line.order) lines?: OrderLine[];
  @OneToMany(() => OrderStatusHistory, (entry) => entry.order) history?: OrderStatusHistory[];
}
