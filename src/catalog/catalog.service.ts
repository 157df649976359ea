import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ConflictError, isUniqueViolation, NotFoundError } from '../common/errors';
import { normaliseMoney } from '../common/money';
import type { CreateProductDto } from './dto/create-product.dto';
import { Product } from './product.entity';

export interface ProductView {
  id: string;
  sku: string;
  name: string;
  spec: string | null;
  price: string;
  purchaseLimit: number | null;
  weightGrams: number | null;
  active: boolean;
  createdAt: string;
}

export function toProductView(product: Product): ProductView {
  return {
    id: product.id,
    sku: product.sku,
    name: product.name,
    spec: product.spec,
    price: normaliseMoney(product.price)!,
    purchaseLimit: product.purchaseLimit,
    weightGrams: product.weightGrams,
    active: product.active,
    createdAt: product.createdAt.toISOString(),
  };
}

@Injectable()
export class CatalogService {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async createProduct(input: CreateProductDto): Promise<ProductView> {
    try {
      const product = await this.db.getRepository(Product).save(
        this.db.getRepository(Product).create({
          sku: input.sku,
          name: input.name,
          spec: input.spec ?? null,
          price: input.price,
          purchaseLimit: input.purchaseLimit ?? null,
          weightGrams: input.weightGrams ?? null,
        }),
      );
      return toProductView(await this.db.getRepository(Product).findOneByOrFail({ id: product.id }));
    } catch (error) {
      if (isUniqueViolation(error)) throw new ConflictError(`A product with sku ${input.sku} already exists`);
      throw error;
    }
  }

  async getProduct(sku: string): Promise<ProductView> {
    const product = await this.db.getRepository(Product).findOneBy({ sku });
    if (!product) throw new NotFoundError('Product', sku);
    return toProductView(product);
  }

  async listProducts(q: string | undefined, offset: number, limit: number): Promise<{ items: ProductView[]; total: number }> {
    const query = this.db.getRepository(Product).createQueryBuilder('p').orderBy('p.sku').skip(offset).take(limit);
    if (q) query.where('(p.sku ILIKE :q OR p.name ILIKE :q)', { q: `%${q.replace(/[%_\\]/g, '\\$&')}%` });
    const [items, total] = await query.getManyAndCount();
    return { items: items.map(toProductView), total };
  }

  /** Products by sku, for review rules and order lines (unknown skus are simply absent). */
  /** SQL for the name of the product with the sku `skuSql` (NULL when there is none): for statements of other areas that write it. */
  readonly productNameSql = (skuSql: string): string => `(SELECT product.name FROM product WHERE product.sku = ${skuSql})`;

  async findBySkus(skus: string[], manager: EntityManager = this.db.manager): Promise<Map<string, Product>> {
    if (skus.length === 0) return new Map();
    const products = await manager.getRepository(Product).createQueryBuilder('p').where('p.sku IN (:...skus)', { skus }).getMany();
    return new Map(products.map((product) => [product.sku, product]));
  }
}
