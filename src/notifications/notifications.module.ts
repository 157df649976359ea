import { join } from 'node:path';
import { Logger, Module } from '@nestjs/common';
import { projectRoot } from '../common/project-root';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { Mailer } from './mailer';
import { NotificationsService } from './notifications.service';
import { TemplateRenderer } from './template-renderer';

export const TEMPLATES_DIR = join(projectRoot(), 'templates');

@Module({
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
    NotificationsService,
  ],
  exports: [NotificationsService, TemplateRenderer],
})
export class NotificationsModule {}
