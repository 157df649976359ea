import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

@Entity('app_user')
export class User extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 254 }) email!: string;
  @Column({ name: 'display_name', type: 'varchar', length: 100, default: '' }) displayName!: string;
  @Column({ name: 'password_hash', type: 'varchar', length: 200, select: false }) passwordHash!: string;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) roles!: string[];
  @Column({ type: 'boolean', default: true }) active!: boolean;
  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true }) lastLoginAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
