import { BaseEntity, Column, Entity, PrimaryColumn } from 'typeorm';

/** A role names what its holders may do: permissions like `orders.read`, or `*` for everything (G3.3). */
@Entity('role')
export class Role extends BaseEntity {
  @PrimaryColumn({ type: 'varchar', length: 40 }) name!: string;
  @Column({ type: 'varchar', length: 200, default: '' }) description!: string;
  @Column({ type: 'text', array: true, default: () => "'{}'" }) permissions!: string[];
}
