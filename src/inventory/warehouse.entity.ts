import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('warehouse')
export class Warehouse extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 32, unique: true }) code!: string;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @Column({ type: 'varchar', length: 50 }) province!: string;
  @Column({ type: 'varchar', length: 50 }) city!: string;
  /** Lower is preferred (API.md). */
  @Column({ type: 'integer', default: 100 }) priority!: number;
  @Column({ name: 'cost_per_shipment', type: 'numeric', precision: 12, scale: 2, nullable: true }) costPerShipment!: string | null;
  @Column({ name: 'is_virtual', type: 'boolean', default: false }) isVirtual!: boolean;
  @Column({ type: 'boolean', default: true }) active!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
