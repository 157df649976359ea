import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { PageQuery } from '../../common/pagination';

const MAX_TEMPLATE = 100_000;

export class TemplatePartsDto {
  @ApiPropertyOptional({ description: 'email subject (Handlebars, text)' }) @IsOptional() @IsString() @MaxLength(2000) subject?: string;
  @ApiPropertyOptional({ description: 'email HTML body (Handlebars, escaped)' }) @IsOptional() @IsString() @MaxLength(MAX_TEMPLATE) html?: string;
  @ApiPropertyOptional({ description: 'email text part or the SMS (Handlebars, text)' }) @IsOptional() @IsString() @MaxLength(MAX_TEMPLATE) text?: string;
}

export class SaveTemplateDto extends TemplatePartsDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) note?: string;
}

export class RevertTemplateDto {
  @ApiProperty({ enum: ['subject', 'html', 'text'] }) @IsIn(['subject', 'html', 'text']) part!: 'subject' | 'html' | 'text';
  @ApiProperty({ example: 1, description: '0: back to the file' }) @IsInt() @Min(0) @Max(1_000_000) version!: number;
}

export class PreviewTemplateDto extends TemplatePartsDto {
  @ApiPropertyOptional({ description: 'an order id or number whose data to use; sample data without' }) @IsOptional() @IsString() @MaxLength(64) orderId?: string;
}

export class TestSendDto extends PreviewTemplateDto {
  @ApiProperty({ example: 'admin@example.com', description: "the sender's own email, or an entry of the settings' notifications.testRecipients" }) @IsString() @MaxLength(254) to!: string;
}

export class NotificationQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'an order or case number' }) @IsOptional() @IsString() @MaxLength(100) reference?: string;
  @ApiPropertyOptional({ example: 'pending,sent,dead' }) @IsOptional() @IsString() @MaxLength(60) status?: string;
}
