import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'admin@example.com' }) @IsString() @MinLength(3) @MaxLength(254) email!: string;
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) password!: string;
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'tmall-sync' }) @IsString() @MinLength(1) @MaxLength(100) name!: string;
  @ApiProperty({ type: [String], required: false, example: ['integration'] })
  @IsArray() @ArrayMaxSize(20) @IsString({ each: true }) @MinLength(1, { each: true }) @MaxLength(40, { each: true })
  roles: string[] = ['integration'];
}
