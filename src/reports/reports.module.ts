import { Module } from '@nestjs/common';
import { ReportRollups } from './report-rollups';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';

/** G4 reports: rollups kept by database triggers, read here as JSON, CSV and XLSX (permission reports.read). */
@Module({ controllers: [ReportsController], providers: [ReportsService, ReportRollups], exports: [ReportsService] })
export class ReportsModule {}
