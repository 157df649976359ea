import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export const MAX_PAGE_SIZE = 200;
/** Beyond this the offset is no longer an exact integer (and `page=1e20` would reach the database as a 500). */
export const MAX_PAGE = Math.floor(Number.MAX_SAFE_INTEGER / MAX_PAGE_SIZE);

/** `?page=1&pageSize=50`; page sizes above 200 are served as 200 (API.md "Lists"). */
export class PageQuery {
  @ApiPropertyOptional({ example: 1, minimum: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_PAGE) page?: number;
  @ApiPropertyOptional({ example: 50, minimum: 1, description: `at most ${MAX_PAGE_SIZE} are served` }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) pageSize?: number;
}

export interface Page<T> {
  items: T[];
  page: number;
  pageSize: number;
  total: number;
}

export function pageWindow(query: PageQuery): { page: number; pageSize: number; offset: number } {
  const page = query.page ?? 1;
  const pageSize = Math.min(query.pageSize ?? 50, MAX_PAGE_SIZE);
  return { page, pageSize, offset: (page - 1) * pageSize };
}
