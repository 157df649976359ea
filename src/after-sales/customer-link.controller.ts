import { Body, type CanActivate, Controller, type ExecutionContext, Get, Injectable, Param, Post, Req, Res, UploadedFile, UseGuards, UseInterceptors } from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiConsumes, ApiExcludeController, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { MAX_ATTACHMENT_BYTES } from './after-sales.service';
import type { Request, Response } from 'express';
import { Public, RequirePermission } from '../auth/auth.decorators';
import { RateLimitedError } from '../common/errors';
import { CustomerLinkThrottle } from './customer-link-throttle';
import { CustomerLinkNotFoundError, CustomerLinkService } from './customer-link.service';
import { CUSTOMER_PAGE_HEADERS, renderBusyPage, renderCustomerPage, renderExpiredPage } from './customer-page';
import { OpenCaseDto } from './dto/after-sales.dto';
import { CustomerLinkResponse, PublicCase, PublicOrderPage } from './dto/customer-link.dto';

const clientAddress = (request: Request) => request.ip ?? request.socket.remoteAddress ?? 'unknown';

/** Counts a public request against its link and its address before anything else (even the body's validation) runs. */
@Injectable()
export class CustomerLinkThrottleGuard implements CanActivate {
  constructor(private readonly throttle: CustomerLinkThrottle) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<Request>();
    await this.throttle.admit(String(request.params.token ?? ''), clientAddress(request));
    return true;
  }
}

/** An upload is read only for a link that works: a bad or expired one is the same 404 before any byte is taken in. */
@Injectable()
export class CustomerLinkValidGuard implements CanActivate {
  constructor(private readonly links: CustomerLinkService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.links.resolve(String(context.switchToHttp().getRequest<Request>().params.token ?? ''));
    return true;
  }
}

/** A link's answers are the customer's alone: never cached, never passed on as a referrer. */
function keepPrivate(response: Response): void {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Referrer-Policy', 'no-referrer');
}

/** Issue 6 item 6 (G1.6): customer service issues a signed link; the customer opens and follows cases with it, no login. */
@ApiTags('customer-links')
@Controller('api')
export class CustomerLinkController {
  constructor(private readonly links: CustomerLinkService) {}

  /** The link to send the customer; `url` starts with the configured PUBLIC_URL, whatever Host the request named. */
  @Post('orders/:id/customer-link')
  @ApiBearerAuth()
  @RequirePermission('orders.write')
  issue(@Param('id') orderId: string): Promise<CustomerLinkResponse> {
    return this.links.issue(orderId);
  }

  /** The order's lines with what can still be claimed, its cases and the case types open to it. 404 for any bad link. */
  @Get('public/orders/:token')
  @Public()
  @UseGuards(CustomerLinkThrottleGuard)
  @ApiOkResponse({ type: PublicOrderPage })
  publicOrder(@Param('token') token: string, @Res({ passthrough: true }) response: Response): Promise<PublicOrderPage> {
    keepPrivate(response);
    return this.links.publicOrder(token);
  }

  /** 201 with the new case; 200 with the case an identical request of the last minute opened; 409/422 as the staff route. */
  @Post('public/orders/:token/after-sales')
  @Public()
  @UseGuards(CustomerLinkThrottleGuard)
  @ApiOkResponse({ type: PublicCase, description: 'the same request again within a minute: the case it opened' })
  async open(@Param('token') token: string, @Body() body: OpenCaseDto, @Res({ passthrough: true }) response: Response): Promise<PublicCase> {
    keepPrivate(response);
    const { created, case: view } = await this.links.openCase(token, body);
    response.status(created ? 201 : 200);
    return view;
  }

  /** The customer's photo of the goods or parcel for one of the order's cases (G5.5): 201 with the case; 422 not an image, 413 over 5 MB. */
  @Post('public/orders/:token/after-sales/:number/photos')
  @Public()
  @UseGuards(CustomerLinkThrottleGuard, CustomerLinkValidGuard)
  @ApiConsumes('multipart/form-data')
  @ApiOkResponse({ type: PublicCase })
  @UseInterceptors(FileInterceptor('file', { limits: { fileSize: MAX_ATTACHMENT_BYTES + 1, files: 1 } }))
  addPhoto(
    @Param('token') token: string,
    @Param('number') caseNumber: string,
    @UploadedFile() file: { originalname: string; buffer: Buffer } | undefined,
    @Res({ passthrough: true }) response: Response,
  ): Promise<PublicCase> {
    keepPrivate(response);
    return this.links.addPhoto(token, caseNumber, file);
  }
}

/** `/returns/<token>`: the page the customer's notification links to. */
@ApiExcludeController()
@Public()
@Controller('returns')
export class CustomerPageController {
  constructor(
    private readonly links: CustomerLinkService,
    private readonly throttle: CustomerLinkThrottle,
  ) {}

  @Get(':token')
  async page(@Param('token') token: string, @Req() request: Request, @Res() response: Response): Promise<void> {
    response.set(CUSTOMER_PAGE_HEADERS);
    try {
      await this.throttle.admit(token, clientAddress(request));
      const order = await this.links.resolve(token);
      response.status(200).send(renderCustomerPage(order.number));
    } catch (error) {
      if (error instanceof CustomerLinkNotFoundError) {
        response.status(404).send(renderExpiredPage());
      } else if (error instanceof RateLimitedError) {
        response.status(429).set('Retry-After', String(error.retryAfterSeconds)).send(renderBusyPage(error.retryAfterSeconds));
      } else {
        throw error;
      }
    }
  }
}
