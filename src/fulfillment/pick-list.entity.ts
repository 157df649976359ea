import { BaseEntity, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

export const PICK_LIST_STATUSES = ['open', 'picked'] as const;
export type PickListStatus = (typeof PICK_LIST_STATUSES)[number];

/** A wave of a warehouse's shipments (G1.4): written by PickListService only; mapped for the admin's list. */
@Entity('pick_list')
export class PickList extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 32 }) number!: string;
  @Column({ name: 'warehouse_id', type: 'uuid' }) warehouseId!: string;
  @Column({ type: 'varchar', length: 20, default: 'open' }) status!: PickListStatus;
  @Column({ name: 'created_by', type: 'varchar', length: 254 }) createdBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'picked_by', type: 'varchar', length: 254, nullable: true }) pickedBy!: string | null;
  @Column({ name: 'picked_at', type: 'timestamptz', nullable: true }) pickedAt!: Date | null;
}
