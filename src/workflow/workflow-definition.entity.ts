import { BaseEntity, Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** One immutable deployed version of a diagram. */
@Entity('workflow_definition')
export class WorkflowDefinition extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ type: 'varchar', length: 100 }) key!: string;
  @Column({ type: 'integer' }) version!: number;
  @Column({ type: 'varchar', length: 200, default: '' }) name!: string;
  @Column({ type: 'text' }) xml!: string;
  @Column({ type: 'char', length: 64 }) checksum!: string;
  @Column({ name: 'deployed_by', type: 'varchar', length: 254 }) deployedBy!: string;
  @CreateDateColumn({ name: 'deployed_at', type: 'timestamptz' }) deployedAt!: Date;
}
