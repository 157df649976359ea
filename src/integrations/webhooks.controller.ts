import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { ConnectorPausedError, type DeliveryAnswer, WebhooksService } from './webhooks.service';

/** How long a provider is told to wait before sending a delivery to a paused connector again. */
const PAUSED_RETRY_AFTER_SECONDS = 300;

/**
 * `POST /hooks/{id}`: no bearer token, the provider's signature over the raw body is the authentication (app.ts hands this
 * path the body as bytes, unparsed). 200 for a delivery taken, ignored or seen before; 401 for a bad or missing signature
 * (nothing written); 404 for no such connector; 503 with Retry-After while the connector is paused.
 */
@ApiExcludeController()
@Controller('hooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Post(':id')
  @Public()
  @HttpCode(200)
  async receive(@Param('id') id: string, @Req() request: Request, @Res({ passthrough: true }) response: Response): Promise<DeliveryAnswer> {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    try {
      return await this.webhooks.receive(id, body, request.headers);
    } catch (error) {
      if (error instanceof ConnectorPausedError) response.setHeader('Retry-After', String(PAUSED_RETRY_AFTER_SECONDS));
      throw error;
    }
  }
}
