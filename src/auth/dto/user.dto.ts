import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { PageQuery } from '../../common/pagination';
import { USER_LOCALES, type UserLocale } from '../user.entity';

const rolesList = () => applyDecorators(IsArray(), ArrayMaxSize(20), IsString({ each: true }), MinLength(1, { each: true }), MaxLength(40, { each: true }));

export class CreateUserDto {
  /** Stored as normaliseEmail makes it (trimmed, NFKC, lower-case). */
  @ApiProperty({ example: 'zhang.wei@shop.cn' })
  @Transform(({ value }) => (typeof value === 'string' ? value.trim() : value))
  @IsEmail()
  @MaxLength(254)
  email!: string;
  @ApiProperty({ example: '张伟' }) @IsString() @MaxLength(100) name!: string;
  @ApiProperty({ description: 'at least 12 characters, not a common password, not the email' }) @IsString() @MaxLength(200) password!: string;
  @ApiProperty({ type: [String], example: ['operator'] }) @rolesList() roles!: string[];
  @ApiPropertyOptional({ enum: USER_LOCALES }) @IsOptional() @IsIn(USER_LOCALES) locale?: UserLocale;
}

export class UpdateUserDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) name?: string;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @rolesList() roles?: string[];
  @ApiPropertyOptional({ description: "true: the user's tokens and admin sessions stop working at once" }) @IsOptional() @IsBoolean() disabled?: boolean;
  @ApiPropertyOptional({ enum: USER_LOCALES }) @IsOptional() @IsIn(USER_LOCALES) locale?: UserLocale;
}

export class SetPasswordDto {
  @ApiProperty({ description: 'at least 12 characters, not a common password, not the email' }) @IsString() @MaxLength(200) password!: string;
}

export class UsersQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'part of the email or name' }) @IsOptional() @IsString() @MaxLength(254) q?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(40) role?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'] }) @IsOptional() @IsIn(['true', 'false']) disabled?: 'true' | 'false';
}
