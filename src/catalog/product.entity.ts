import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('product')
export class Product extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 64, unique: true }) sku!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'varchar', length: 200, nullable: true }) spec!: string | null;
  @Column({ type: 'numeric', precision: 12, scale: 2 }) price!: string;
  @Column({ name: 'purchase_limit', type: 'integer', nullable: true }) purchaseLimit!: number | null;
  @Column({ name: 'weight_grams', type: 'integer', nullable: true }) weightGrams!: number | null;
  @Column({ type: 'boolean', default: true }) active!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
