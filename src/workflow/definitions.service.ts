import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Acting } from '../audit/acting';
import { lacking } from '../auth/permissions';
import { AuditService } from '../audit/audit.service';
import { type Actor, SYSTEM_ACTOR } from '../common/actor';
import { ForbiddenError, isUniqueViolation, NotFoundError, ValidationError } from '../common/errors';
import { TaskTypeRegistry } from './task-type.registry';
import { type DiagramProblem, validateDiagram } from './validation/diagram-validator';
import { WorkflowDefinition } from './workflow-definition.entity';

export interface DeployResult {
  key: string;
  version: number;
  checksum: string;
  deployedAt: string;
  created: boolean;
  /** Lint warnings of the deployed diagram (non-blocking); absent when the XML was identical to the latest version. */
  warnings?: DiagramProblem[];
}

const checksumOf = (xml: string) => createHash('sha256').update(xml).digest('hex');

/** Deployed diagrams: every deploy is a new immutable version; instances stay on the version they started on. */
@Injectable()
export class DefinitionsService {
  private readonly logger = new Logger('Workflows');

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly registry: TaskTypeRegistry,
    private readonly audit: AuditService,
  ) {}

  /**
   * Parses and lints a diagram (bpmnlint `recommended` plus our rules, src/workflow/validation):
   * `problems` block a deploy, `warnings` do not; each names its element id in `path`.
   */
  async validate(xml: string): Promise<{ name: string; problems: DiagramProblem[]; warnings: DiagramProblem[]; taskTypes: Array<{ elementId: string; type: string }> }> {
    const { name, errors, warnings, taskTypes } = await validateDiagram(xml, (type) => this.registry.get(type) !== undefined);
    return { name, problems: errors, warnings, taskTypes };
  }

  /**
   * Validates and deploys a new version. The deployer must hold every permission of every task type the diagram uses
   * (DESIGN "A diagram can never do more than the people behind it"): otherwise 403 naming each task and permission.
   */
  async deploy(key: string, xml: string, by: Acting): Promise<DeployResult> {
    const checksum = checksumOf(xml);
    const latest = await this.latest(key);
    if (latest?.checksum === checksum) return { ...this.describe(latest), created: false };
    const { name, problems, warnings, taskTypes } = await this.validate(xml);
    if (problems.length) throw new ValidationError(`The diagram has ${problems.length} problem(s)`, problems);
    this.refuseBeyondDeployer(taskTypes, by.actor);
    try {
      // the version and its audit entry commit together
      const saved = await this.db.transaction(async (manager) => {
        const version = await manager.getRepository(WorkflowDefinition).save({
          key, version: (latest?.version ?? 0) + 1, name, xml, checksum, deployedBy: by.actor.name,
        });
        await this.audit.record(
          { actor: by.actor, ip: by.ip, action: 'workflow.deploy', target: `workflow:${key}`, details: { version: version.version, checksum, taskTypes: [...new Set(taskTypes.map(({ type }) => type))] } },
          manager,
        );
        return version;
      });
      this.logger.log(`deployed ${key} v${saved.version}${warnings.length ? ` with ${warnings.length} lint warning(s)` : ''}`);
      return { ...this.describe(await this.db.getRepository(WorkflowDefinition).findOneByOrFail({ id: saved.id })), created: true, warnings };
    } catch (error) {
      // another process deployed the same version at the same moment
      if (isUniqueViolation(error)) return this.deploy(key, xml, by);
      throw error;
    }
  }

  private refuseBeyondDeployer(taskTypes: Array<{ elementId: string; type: string }>, deployer: Actor): void {
    const refused = taskTypes.flatMap(({ elementId, type }) =>
      lacking(deployer.permissions, this.registry.get(type)?.permissions ?? [])
        .map((permission) => ({ path: elementId, message: `task type ${type} needs permission ${permission}, which you do not hold`, type, permission })),
    );
    if (refused.length === 0) return;
    const summary = [...new Set(refused.map(({ type, permission }) => `${type} needs ${permission}`))].join('; ');
    throw new ForbiddenError(
      `You may not deploy a diagram that does more than you may: ${summary}`,
      refused.map(({ path, message }) => ({ path, message })),
    );
  }

  /**
   * workflows/*.bpmn (key = file name): a shipped diagram is deployed when this content was never deployed under its key: a version an analyst
   * deployed later from the modeler stays the latest until the file itself changes.
   */
  async deployDirectory(directory: string): Promise<DeployResult[]> {
    const files = (await readdir(directory)).filter((file) => file.endsWith('.bpmn')).sort();
    const results: DeployResult[] = [];
    for (const file of files) {
      const key = basename(file, '.bpmn');
      const xml = await readFile(join(directory, file), 'utf8');
      const known = await this.db.getRepository(WorkflowDefinition).existsBy({ key, checksum: checksumOf(xml) });
      if (!known) results.push(await this.deploy(key, xml, { actor: SYSTEM_ACTOR, ip: null }));
    }
    return results;
  }

  latest(key: string, manager: EntityManager = this.db.manager): Promise<WorkflowDefinition | null> {
    return manager.getRepository(WorkflowDefinition).findOne({ where: { key }, order: { version: 'DESC' } });
  }

  /** Inside a transaction pass its manager: the embedded database serves one transaction at a time (STACK trap 8). */
  async requireLatest(key: string, manager?: EntityManager): Promise<WorkflowDefinition> {
    const definition = await this.latest(key, manager);
    if (!definition) throw new NotFoundError('Workflow', key);
    return definition;
  }

  async list(): Promise<Array<{ key: string; name: string; latestVersion: number; versions: Array<{ version: number; checksum: string; deployedAt: string; deployedBy: string }> }>> {
    const definitions = await this.db.getRepository(WorkflowDefinition).find({
      select: { id: true, key: true, name: true, version: true, checksum: true, deployedAt: true, deployedBy: true },
      order: { key: 'ASC', version: 'DESC' },
    });
    const byKey = new Map<string, WorkflowDefinition[]>();
    for (const definition of definitions) byKey.set(definition.key, [...(byKey.get(definition.key) ?? []), definition]);
    return [...byKey.entries()].map(([key, versions]) => ({
      key,
      name: versions[0].name,
      latestVersion: versions[0].version,
      versions: versions.map((v) => ({ version: v.version, checksum: v.checksum, deployedAt: v.deployedAt.toISOString(), deployedBy: v.deployedBy })),
    }));
  }

  private describe(definition: WorkflowDefinition): Omit<DeployResult, 'created'> {
    return { key: definition.key, version: definition.version, checksum: definition.checksum, deployedAt: definition.deployedAt.toISOString() };
  }
}
