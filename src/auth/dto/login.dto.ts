import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

export class LoginDto {
  @ApiProperty({ example: 'admin@example.com' }) @IsString() @MinLength(3) @MaxLength(254) email!: string;
  /** Taken exactly as typed: never trimmed. */
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) password!: string;
}

/** POST /api/auth/password: a user changes their own password, proving the current one. */
export class ChangePasswordDto {
  @ApiProperty() @IsString() @MinLength(1) @MaxLength(200) currentPassword!: string;
  @ApiProperty({ description: 'at least 12 characters, not a common password, not the email' }) @IsString() @MaxLength(200) newPassword!: string;
}
