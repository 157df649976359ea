import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequirePermission } from '../auth/auth.decorators';
import { type Actor, CurrentActor } from '../common/actor';
import { FeedbackSummaryQuery, GiveFeedbackDto } from './dto/feedback.dto';
import { type FeedbackSummary, type FeedbackView, FeedbackService } from './feedback.service';

@ApiTags('feedback')
@ApiBearerAuth()
@Controller('api')
export class FeedbackController {
  constructor(private readonly feedback: FeedbackService) {}

  /** G1.6: the customer's rating of a shipped, delivered or completed order, once per order (409 otherwise). */
  @Post('orders/:id/feedback')
  @RequirePermission('orders.write')
  give(@Param('id') id: string, @Body() body: GiveFeedbackDto, @CurrentActor() actor: Actor): Promise<FeedbackView> {
    return this.feedback.giveFeedback(id, body, actor);
  }

  @Get('orders/:id/feedback')
  @RequirePermission('orders.read')
  get(@Param('id') id: string): Promise<FeedbackView> {
    return this.feedback.feedbackOf(id);
  }

  /** Ratings by product or warehouse, worst average first: where fulfilment needs improving. */
  @Get('feedback/summary')
  @RequirePermission('orders.read')
  summary(@Query() query: FeedbackSummaryQuery): Promise<FeedbackSummary> {
    return this.feedback.summary(query.by ?? 'product', query.from, query.to);
  }
}
