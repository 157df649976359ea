import { Controller, Param, Post, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { ConnectorPausedError, isProviderAnswer, WebhooksService } from './webhooks.service';

/** How long a provider is told to wait before sending a delivery to a paused connector again. */
const PAUSED_RETRY_AFTER_SECONDS = 300;

/**
 * `POST /hooks/{id}`: no bearer token, the provider's signature over the raw body is the authentication (app.ts hands this
 * path the body as bytes, unparsed). 200 for a delivery taken, ignored or seen before; 401 for a bad or missing signature
 * (nothing written); 404 for no such connector; 503 with Retry-After while the connector is paused.
 * A payment provider's receiver answers in that provider's own format (status, content type and body: WeChat Pay's
 * {"code": ...} JSON, Alipay's plain `success`/`fail`), which this route sends as it is; Shopify's stays our JSON.
 */
@ApiExcludeController()
@Controller('hooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  // the response is written here (not passed through): a provider's answer sets its own status, which @HttpCode would override
  @Post(':id')
  @Public()
  async receive(@Param('id') id: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    try {
      const answer = await this.webhooks.receive(id, body, request.headers);
      if (isProviderAnswer(answer)) response.status(answer.status).type(answer.contentType).send(answer.body);
      else response.status(200).json(answer);
    } catch (error) {
      if (error instanceof ConnectorPausedError) response.setHeader('Retry-After', String(PAUSED_RETRY_AFTER_SECONDS));
      throw error;
    }
  }
}
