import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { NotFoundError } from '../common/errors';
import { queryOne } from '../database/sql';

export interface DraftView {
  key: string;
  xml: string;
  updatedBy: string;
  updatedAt: string;
}

/** The modeler's work in progress: one draft per workflow key, not validated, never run. */
@Injectable()
export class DraftsService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async get(key: string): Promise<DraftView> {
    const row = await queryOne<{ key: string; xml: string; updated_by: string; updated_at: Date }>(this.db, `SELECT * FROM workflow_draft WHERE key = $1`, [key]);
    if (!row) throw new NotFoundError('Draft of workflow', key);
    return { key: row.key, xml: row.xml, updatedBy: row.updated_by, updatedAt: new Date(row.updated_at).toISOString() };
  }

  async save(key: string, xml: string, by: string): Promise<DraftView> {
    await this.db.query(
      `INSERT INTO workflow_draft (key, xml, updated_by) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE SET xml = EXCLUDED.xml, updated_by = EXCLUDED.updated_by, updated_at = now()`,
      [key, xml, by],
    );
    return this.get(key);
  }
}
