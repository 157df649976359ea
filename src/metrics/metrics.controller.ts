import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { OrStaticToken, RequirePermission } from '../auth/auth.decorators';
import { MetricsService } from './metrics.service';

/**
 * Prometheus' scrape target at its conventional path, outside /api and outside the OpenAPI document: it answers the
 * Prometheus text format, not the JSON API (README "Monitoring"). Not public: it shows business volumes.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  @RequirePermission('metrics.read')
  @OrStaticToken('METRICS_TOKEN')
  async scrape(@Res() response: Response): Promise<void> {
    const { contentType, body } = await this.metrics.render();
    // end(), not send(): express would rewrite the content type's parameters
    response.status(200).setHeader('Cache-Control', 'no-store').setHeader('Content-Type', contentType).end(body);
  }
}
