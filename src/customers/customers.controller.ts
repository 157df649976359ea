import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsEmail, IsOptional, IsString, Matches, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { RequirePermission } from '../auth/auth.decorators';
import { type Actor, CurrentActor } from '../common/actor';
import { type Page, PageQuery, pageWindow } from '../common/pagination';
import { type ContactAmendment, type CustomerDetail, type CustomerSummary, CustomersService } from './customers.service';

class CustomerQuery extends PageQuery {
  @ApiPropertyOptional({ example: '张', description: 'part of the name, phone or email' }) @IsOptional() @IsString() @MaxLength(64) q?: string;
}

export class ContactChangeDto {
  @ApiProperty({ example: '张三' }) @IsString() @MinLength(1) @MaxLength(100) @Matches(/\S/, { message: 'must not be blank' }) name!: string;
  @ApiProperty({ example: '13800138000' }) @IsString() @MinLength(3) @MaxLength(40) phone!: string;
  @ApiPropertyOptional({ example: 'zhang@example.com', nullable: true, description: 'left out: each order keeps its own; null: cleared' })
  @ValidateIf((_, value) => value !== undefined && value !== null) @IsEmail() @MaxLength(254) email?: string | null;
}

/**
 * Customers derived from the orders (G2.1 navigation, issue 14 item 7): `orders.read` to look, `orders.write` (the
 * amend route's) to correct the contact on their open orders.
 */
@ApiTags('customers')
@ApiBearerAuth()
@Controller('api/customers')
export class CustomersController {
  constructor(private readonly customers: CustomersService) {}

  @Get()
  @RequirePermission('orders.read')
  async list(@Query() query: CustomerQuery): Promise<Page<CustomerSummary>> {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.customers.list(query.q?.trim() || undefined, offset, pageSize);
    return { items, page, pageSize, total };
  }

  @Get(':id')
  @RequirePermission('orders.read')
  get(@Param('id') id: string): Promise<CustomerDetail> {
    return this.customers.get(id);
  }

  /** The new contact on every open order of the customer (PATCH /api/orders/{id} for each), 200 with what was amended. */
  @Post(':id/contact')
  @HttpCode(200)
  @RequirePermission('orders.write')
  amendContact(@Param('id') id: string, @Body() body: ContactChangeDto, @CurrentActor() actor: Actor): Promise<ContactAmendment> {
    return this.customers.amendContact(id, { name: body.name.trim(), phone: body.phone.trim(), email: body.email }, actor);
  }
}
