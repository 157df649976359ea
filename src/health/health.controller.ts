import { Controller, Get, Inject, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { Public } from '../auth/auth.decorators';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DATABASE_LOCATION, type DatabaseLocation } from '../database/database-location';

const startedAt = Date.now();

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(DATABASE_LOCATION) private readonly location: DatabaseLocation,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** 200 when the database answers, 503 with Retry-After otherwise (for load balancers and the start-time figure). */
  @Public()
  @Get('health')
  async health(@Res({ passthrough: true }) response: Response) {
    let db: 'ok' | 'error' = 'ok';
    try {
      await this.db.query('SELECT 1');
    } catch {
      db = 'error';
    }
    response.status(db === 'ok' ? 200 : 503);
    if (db !== 'ok') response.setHeader('Retry-After', String(this.config.RETRY_AFTER_SECONDS));
    return {
      status: db === 'ok' ? 'ok' : 'error',
      db,
      database: this.location.embedded ? 'embedded' : 'postgresql',
      uptimeSeconds: Math.round((Date.now() - startedAt) / 1000),
    };
  }
}
