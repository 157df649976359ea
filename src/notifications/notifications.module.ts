import { join } from 'node:path';
import { Logger, Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { projectRoot } from '../common/project-root';
import { RateLimitModule } from '../common/rate-limit';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { Mailer } from './mailer';
import { NotificationTemplatesService } from './notification-templates.service';
import { NotificationsController } from './notifications.controller';
import { NotificationsService } from './notifications.service';
import { CaptureSmsProvider } from './sms/capture-sms.provider';
import { HttpSmsProvider } from './sms/http-sms.provider';
import { SMS_PROVIDER } from './sms/sms-provider';
import { TemplateRenderer } from './template-renderer';
import { TestSendPolicy } from './test-send-policy';

export const TEMPLATES_DIR = join(projectRoot(), 'templates');

@Module({
  imports: [RateLimitModule],
  controllers: [NotificationsController],
  providers: [
    { provide: TemplateRenderer, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new TemplateRenderer(TEMPLATES_DIR, config.DEFAULT_LOCALE) },
    {
      provide: Mailer,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const logger = new Logger('Mail');
        return new Mailer(config.SMTP_URL, config.MAIL_FROM, { info: (obj: object, msg?: string) => logger.log(`${msg ?? 'mail'} ${JSON.stringify(obj)}`) });
      },
    },
    {
      provide: SMS_PROVIDER,
      inject: [APP_CONFIG, getDataSourceToken()],
      useFactory: (config: AppConfig, db: DataSource) => {
        if (config.SMS_PROVIDER === 'capture') return new CaptureSmsProvider(db);
        if (!config.SMS_HTTP_URL) throw new Error('SMS_PROVIDER=http needs SMS_HTTP_URL');
        return new HttpSmsProvider(config.SMS_HTTP_URL, config.SMS_HTTP_TOKEN);
      },
    },
    NotificationTemplatesService,
    NotificationsService,
    TestSendPolicy,
  ],
  exports: [NotificationsService, NotificationTemplatesService, TemplateRenderer],
})
export class NotificationsModule {}
