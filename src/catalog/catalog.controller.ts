import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { RequirePermission } from '../auth/auth.decorators';
import { type Page, PageQuery, pageWindow } from '../common/pagination';
import { CatalogService, type ProductView } from './catalog.service';
import { CreateProductDto } from './dto/create-product.dto';

class ProductQuery extends PageQuery {
  @ApiPropertyOptional({ example: '龙井', description: 'in sku or name' }) @IsOptional() @IsString() @MaxLength(100) q?: string;
}

@ApiTags('catalogue')
@ApiBearerAuth()
@Controller('api/products')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Post()
  @RequirePermission('catalog.write')
  create(@Body() body: CreateProductDto): Promise<ProductView> {
    return this.catalog.createProduct(body);
  }

  @Get()
  @RequirePermission('catalog.read')
  async list(@Query() query: ProductQuery): Promise<Page<ProductView>> {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.catalog.listProducts(query.q, offset, pageSize);
    return { items, page, pageSize, total };
  }

  @Get(':sku')
  @RequirePermission('catalog.read')
  get(@Param('sku') sku: string): Promise<ProductView> {
    return this.catalog.getProduct(sku);
  }
}
