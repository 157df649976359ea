import { BaseEntity, Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A stored version of a template part (`email/zh-CN/order-confirmation.subject.hbs`), mapped for the admin's template
 * editor (AdminJS resources are entities, STACK trap 6). NotificationTemplatesService reads and writes them with its own SQL.
 */
@Entity('notification_template_version')
export class NotificationTemplateVersion extends BaseEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' }) id!: string;
  @Column({ type: 'varchar', length: 200 }) path!: string;
  @Column({ type: 'integer' }) version!: number;
  /** null: back to the file. */
  @Column({ type: 'text', nullable: true }) source!: string | null;
  @Column({ type: 'varchar', length: 500, nullable: true }) note!: string | null;
  @Column({ name: 'created_by', type: 'varchar', length: 254 }) createdBy!: string;
  @Column({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
