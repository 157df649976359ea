import { BaseEntity, Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Shipment } from './shipment.entity';

@Entity('shipment_line')
export class ShipmentLine extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'shipment_id', type: 'uuid' }) shipmentId!: string;
  @ManyToOne(() => Shipment, (shipment) => shipment.lines, { onDelete: 'CASCADE' }) @JoinColumn({ name: 'shipment_id' }) shipment?: Shipment;
  @Column({ type: 'varchar', length: 64 }) sku!: string;
  @Column({ type: 'integer' }) quantity!: number;
}
