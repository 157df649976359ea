import { Body, Controller, Get, Headers, Param, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { RequirePermission } from '../auth/auth.decorators';
import { type Actor, CurrentActor } from '../common/actor';
import { NotFoundError, ValidationError } from '../common/errors';
import { DefinitionsService } from './definitions.service';
import { TaskTypeRegistry } from './task-type.registry';
import { type ProcessInstanceView, WorkflowRuntimeService } from './workflow-runtime.service';
import { WorkflowDefinition } from './workflow-definition.entity';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('api')
export class WorkflowController {
  constructor(
    private readonly definitions: DefinitionsService,
    private readonly runtime: WorkflowRuntimeService,
    private readonly registry: TaskTypeRegistry,
    @InjectDataSource() private readonly db: DataSource,
  ) {}

  @Get('workflows')
  @RequirePermission('workflows.read')
  list() {
    return this.definitions.list();
  }

  @Get('workflows/task-types')
  @RequirePermission('workflows.read')
  taskTypes() {
    return this.registry.list();
  }

  @Get('workflows/:key/versions/:version')
  @RequirePermission('workflows.read')
  async version(@Param('key') key: string, @Param('version') version: string) {
    const found = /^\d+$/.test(version) ? await this.db.getRepository(WorkflowDefinition).findOneBy({ key, version: Number(version) }) : null;
    if (!found) throw new NotFoundError('Workflow version', `${key} v${version}`);
    return { key: found.key, version: found.version, name: found.name, checksum: found.checksum, deployedAt: found.deployedAt.toISOString(), deployedBy: found.deployedBy, xml: found.xml };
  }

  /** The BPMN XML as the body (application/xml), or JSON {xml}. */
  @Post('workflows/:key/versions')
  @RequirePermission('workflows.deploy')
  async deploy(@Param('key') key: string, @Body() body: unknown, @Headers('content-type') contentType: string | undefined, @CurrentActor() actor: Actor, @Res({ passthrough: true }) response: Response) {
    const xml = typeof body === 'string' ? body : (body as { xml?: unknown } | undefined)?.xml;
    if (typeof xml !== 'string' || xml.trim() === '') {
      throw new ValidationError('Send the BPMN XML as the body (Content-Type: application/xml) or as JSON {"xml": "..."}', [{ path: 'xml', message: `missing (content type ${contentType ?? 'none'})` }]);
    }
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/.test(key)) throw ValidationError.of('key', 'must be 1-100 letters, digits, _ . -');
    const { created, ...result } = await this.definitions.deploy(key, xml, actor.name);
    response.status(created ? 201 : 200);
    return result;
  }

  @Get('process-instances/:id')
  @RequirePermission('workflows.read')
  instance(@Param('id') id: string): Promise<ProcessInstanceView> {
    return this.runtime.getInstance(id);
  }
}
