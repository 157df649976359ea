import { BaseEntity, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import type { FormField } from './bpmn/moddle-extensions';
import { WorkflowDefinition } from './workflow-definition.entity';

export type InstanceStatus = 'running' | 'waiting' | 'completed' | 'incident' | 'terminated';

/** Where an instance waits: the element, its execution, and the message name it waits for (if any). */
export interface WaitingElement {
  elementId: string;
  executionId: string;
  type: string;
  name?: string;
  messageName?: string;
  /** User tasks: who may work them and when they are due (from the diagram). */
  candidateRoles?: string[];
  dueIn?: string;
  dueDate?: string;
  /** The variables completing it may set (its form). */
  formFields?: FormField[];
}

/** One running diagram. The engine state is stored here; no engine is kept in memory between steps. */
@Entity('process_instance')
export class ProcessInstance extends BaseEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column({ name: 'definition_id', type: 'uuid' }) definitionId!: string;
  @ManyToOne(() => WorkflowDefinition) @JoinColumn({ name: 'definition_id' }) definition?: WorkflowDefinition;
  @Column({ name: 'business_key', type: 'varchar', length: 100, nullable: true }) businessKey!: string | null;
  @Column({ type: 'varchar', length: 20, default: 'running' }) status!: InstanceStatus;
  @Column({ type: 'jsonb', nullable: true, select: false }) state!: unknown;
  @Column({ type: 'jsonb', default: () => "'{}'" }) variables!: Record<string, unknown>;
  @Column({ type: 'jsonb', default: () => "'[]'" }) waiting!: WaitingElement[];
  @Column({ type: 'integer', default: 1 }) version!: number;
  /** Who the instance runs as (issue 11): a task type whose permission this principal lacks fails to an incident. */
  @Column({ name: 'started_by_kind', type: 'varchar', length: 10, default: 'system' }) startedByKind!: 'system' | 'user' | 'api_key';
  @Column({ name: 'started_by_id', type: 'varchar', length: 100, nullable: true }) startedById!: string | null;
  @Column({ name: 'started_by', type: 'varchar', length: 254, default: 'system' }) startedBy!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true }) endedAt!: Date | null;
}
