import { Module } from '@nestjs/common';
import { ReportRollups } from './report-rollups';
import { ReportsController } from './reports.controller';
import { ReportsService } from './reports.service';
import { StaffPerformance } from './staff-performance';

/** G4 reports (rollups kept by database triggers) and staff performance (G5.3), as JSON, CSV and XLSX (permission reports.read). */
@Module({ controllers: [ReportsController], providers: [ReportsService, ReportRollups, StaffPerformance], exports: [ReportsService] })
export class ReportsModule {}
