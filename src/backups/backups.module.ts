import { Module } from '@nestjs/common';
import { BackupsController } from './backups.controller';
import { BackupsService } from './backups.service';

/** Backups (G3.4, issue 13): take, verify, schedule, retention; the restore is a command (restore-cli.ts). */
@Module({ controllers: [BackupsController], providers: [BackupsService], exports: [BackupsService] })
export class BackupsModule {}
