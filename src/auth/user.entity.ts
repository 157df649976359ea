import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const USER_LOCALES = ['zh-CN', 'en'] as const;
export type UserLocale = (typeof USER_LOCALES)[number];

/** A person who signs in (G3.3). Written only through UsersService; mapped for the admin's lists. */
@Entity('app_user')
export class User extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  /** Stored as normaliseEmail makes it, and compared for equality. */
  @Column({ type: 'varchar', length: 254 }) email!: string;
  @Column({ name: 'display_name', type: 'varchar', length: 100, default: '' }) displayName!: string;
  @Column({ name: 'password_hash', type: 'varchar', length: 200, select: false }) passwordHash!: string;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) roles!: string[];
  @Column({ type: 'boolean', default: true }) active!: boolean;
  @Column({ type: 'varchar', length: 5, default: 'zh-CN' }) locale!: UserLocale;
  /** Tokens and admin sessions of an older version no longer work (password change, disable, role change). */
  @Column({ name: 'token_version', type: 'integer', default: 0, select: false }) tokenVersion!: number;
  @Column({ name: 'last_login_at', type: 'timestamptz', nullable: true }) lastLoginAt!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
