import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, MaxLength } from 'class-validator';

/** POST /api/roles and PUT /api/roles/{name} (the same body; a PUT's name must be the path's). */
export class RoleDto {
  @ApiProperty({ example: 'customer_service' }) @IsString() @MaxLength(40) name!: string;
  @ApiPropertyOptional({ example: 'Answers customers, amends orders' }) @IsString() @MaxLength(200) description: string = '';
  @ApiProperty({ type: [String], example: ['orders.read', 'orders.write'] })
  @IsArray() @ArrayMaxSize(100) @IsString({ each: true }) @MaxLength(60, { each: true })
  permissions!: string[];
}
