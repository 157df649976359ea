import { BaseEntity, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** An integration's key (G3.3): mapped for the admin's list; created and revoked only through ApiKeysService. */
@Entity('api_key')
export class ApiKey extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 100 }) name!: string;
  @Column({ name: 'token_hash', type: 'char', length: 64, select: false }) tokenHash!: string;
  /** Its scope: the key may do what these roles may. */
  @Column({ type: 'text', array: true, default: () => "'{integration}'" }) roles!: string[];
  @Column({ name: 'created_by', type: 'varchar', length: 254, nullable: true }) createdBy!: string | null;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true }) expiresAt!: Date | null;
  /** Updated at most once a minute per key, not on every request. */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true }) lastUsedAt!: Date | null;
  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true }) revokedAt!: Date | null;
  @Column({ name: 'revoked_by', type: 'varchar', length: 254, nullable: true }) revokedBy!: string | null;
}
