import { join } from 'node:path';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { AuthService } from '../auth/auth.service';
import { BUILT_IN_ROLES } from '../auth/permissions';
import { projectRoot } from '../common/project-root';
import { appSecret } from '../database/app-secret';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { DATABASE_LOCATION, type DatabaseLocation } from '../database/database-location';
import { NotificationsService } from '../notifications/notifications.service';
import { DefinitionsService } from '../workflow/definitions.service';
import { StepBacklog } from '../workflow/step-backlog';
import { DemoDataService } from './demo-data.service';

export const WORKFLOWS_DIR = join(projectRoot(), 'workflows');

/** What every start does once the schema is migrated: roles, the first admin, the shipped diagrams, demo data. */
@Injectable()
export class SetupService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Setup');
  /** The first admin, with the password when one was generated on this start: main.ts prints it once, after start-up. */
  firstAdmin: { email: string; password?: string } | null = null;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(DATABASE_LOCATION) private readonly location: DatabaseLocation,
    private readonly auth: AuthService,
    private readonly definitions: DefinitionsService,
    private readonly demo: DemoDataService,
    private readonly backlog: StepBacklog,
    private readonly notifications: NotificationsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const role of BUILT_IN_ROLES) {
      await this.db.query(`INSERT INTO role (name, description, permissions) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING`, [
        role.name, role.description, role.permissions,
      ]);
    }
    this.firstAdmin = await this.auth.ensureFirstAdmin();
    for (const result of await this.definitions.deployDirectory(WORKFLOWS_DIR)) {
      if (result.created) this.logger.log(`workflow ${result.key} v${result.version} deployed`);
    }
    const seedDemo = this.config.DEMO_DATA === 'on' || (this.config.DEMO_DATA === 'auto' && this.location.embedded);
    if (seedDemo) await this.demo.seedOnce();
  }

  /**
   * Resolves once the work of the start has run its course — the demo follow-ups, and no workflow step or message due for a
   * few polls in a row — or after `timeoutMs`: the first admin's login is printed after it, not above a screen of logs.
   */
  async startupSettled(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());
    await Promise.race([this.demo.settled(), pause(timeoutMs)]);
    for (let quiet = 0; quiet < 3 && Date.now() < deadline; ) {
      const busy = (await this.backlog.dueSteps(1)) > 0 || (await this.notifications.sendingDue());
      quiet = busy ? 0 : quiet + 1;
      await pause(300);
    }
  }

  /** A persistent random secret; `manager` when the caller is inside a transaction (the embedded database has one connection). */
  secret(name: string, manager: EntityManager = this.db.manager): Promise<string> {
    return appSecret(manager, name);
  }
}
