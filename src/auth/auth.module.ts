import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthController } from './auth.controller';
import { BearerAuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { PrincipalsService } from './principals.service';

@Module({
  controllers: [AuthController],
  providers: [AuthService, PrincipalsService, { provide: APP_GUARD, useClass: BearerAuthGuard }],
  exports: [AuthService, PrincipalsService],
})
export class AuthModule {}
