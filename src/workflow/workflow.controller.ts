import { Body, Controller, Get, Headers, HttpCode, Param, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { RequirePermission } from '../auth/auth.decorators';
import { type Acting, CurrentActing } from '../audit/acting';
import { AuditService } from '../audit/audit.service';
import { type Actor, CurrentActor } from '../common/actor';
import { NotFoundError, ValidationError } from '../common/errors';
import { type Page, PageQuery, pageWindow } from '../common/pagination';
import { MAX_INTEGER_COLUMN } from '../common/validation';
import { DefinitionsService } from './definitions.service';
import { DraftsService } from './drafts.service';
import { TaskTypeRegistry } from './task-type.registry';
import { WorkflowDefinition } from './workflow-definition.entity';
import { type InstanceSummary, type ProcessInstanceView, WorkflowRuntimeService } from './workflow-runtime.service';

const KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
const INSTANCE_STATUSES = ['running', 'waiting', 'completed', 'incident', 'terminated'];

class InstanceQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'order-fulfillment' }) @IsOptional() @IsString() @MaxLength(100) definition?: string;
  @ApiPropertyOptional({ example: 1 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(MAX_INTEGER_COLUMN) version?: number;
  @ApiPropertyOptional({ enum: INSTANCE_STATUSES }) @IsOptional() @IsString() @IsIn(INSTANCE_STATUSES) status?: string;
  @ApiPropertyOptional({ example: 'SO261125000001' }) @IsOptional() @IsString() @MaxLength(100) businessKey?: string;
  @ApiPropertyOptional({ example: 'Review', description: 'the id of the element an instance waits at' }) @IsOptional() @IsString() @MaxLength(100) waitingAt?: string;
  @ApiPropertyOptional({ enum: ['true', 'false'] }) @IsOptional() @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)) @IsBoolean() hasIncident?: boolean;
}

class StartInstanceDto {
  @ApiProperty({ example: 'order-fulfillment' }) @IsString() @Matches(KEY_PATTERN, { message: 'must be a deployed workflow key' }) key!: string;
  @ApiPropertyOptional({ example: 'trial-1' }) @IsOptional() @IsString() @MaxLength(100) businessKey?: string;
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { amount: 120 } }) @IsOptional() @IsObject() variables?: Record<string, unknown>;
}

class MigrateInstanceDto {
  @ApiPropertyOptional({ example: 2, description: 'default: the latest version' }) @IsOptional() @IsInt() @Min(1) @Max(MAX_INTEGER_COLUMN) version?: number;
}

/** The diagram from the body: raw XML (application/xml) or JSON {xml}. */
function xmlFrom(body: unknown, contentType: string | undefined): string {
  const xml = typeof body === 'string' ? body : (body as { xml?: unknown } | undefined)?.xml;
  if (typeof xml !== 'string' || xml.trim() === '') {
    throw new ValidationError('Send the BPMN XML as the body (Content-Type: application/xml) or as JSON {"xml": "..."}', [
      { path: 'xml', message: `missing (content type ${contentType ?? 'none'})` },
    ]);
  }
  return xml;
}

function checkKey(key: string): void {
  if (!KEY_PATTERN.test(key)) throw ValidationError.of('key', 'must be 1-100 letters, digits, _ . -');
}

@ApiTags('workflows')
@ApiBearerAuth()
@Controller('api')
export class WorkflowController {
  constructor(
    private readonly definitions: DefinitionsService,
    private readonly drafts: DraftsService,
    private readonly runtime: WorkflowRuntimeService,
    private readonly registry: TaskTypeRegistry,
    @InjectDataSource() private readonly db: DataSource,
    private readonly audit: AuditService,
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
    const number = /^\d{1,10}$/.test(version) ? Number(version) : NaN;
    const found = number <= MAX_INTEGER_COLUMN ? await this.db.getRepository(WorkflowDefinition).findOneBy({ key, version: number }) : null;
    if (!found) throw new NotFoundError('Workflow version', `${key} v${version}`);
    return { key: found.key, version: found.version, name: found.name, checksum: found.checksum, deployedAt: found.deployedAt.toISOString(), deployedBy: found.deployedBy, xml: found.xml };
  }

  /** 201 with the new version; 200 with the latest when the XML is identical; 422 listing every problem by element id. */
  @Post('workflows/:key/versions')
  @RequirePermission('workflows.deploy')
  async deploy(@Param('key') key: string, @Body() body: unknown, @Headers('content-type') contentType: string | undefined, @CurrentActing() acting: Acting, @Res({ passthrough: true }) response: Response) {
    const xml = xmlFrom(body, contentType);
    checkKey(key);
    const { created, ...result } = await this.definitions.deploy(key, xml, acting);
    response.status(created ? 201 : 200);
    return result;
  }

  @Get('workflows/:key/draft')
  @RequirePermission('workflows.read')
  draft(@Param('key') key: string) {
    return this.drafts.get(key);
  }

  /** Save as draft: any XML the modeler holds, valid or not; deploying is a separate step. */
  @Put('workflows/:key/draft')
  @RequirePermission('workflows.deploy')
  saveDraft(@Param('key') key: string, @Body() body: unknown, @Headers('content-type') contentType: string | undefined, @CurrentActor() actor: Actor) {
    const xml = xmlFrom(body, contentType);
    checkKey(key);
    return this.drafts.save(key, xml, actor.name);
  }

  @Get('process-instances')
  @RequirePermission('workflows.read')
  async instances(@Query() query: InstanceQuery): Promise<Page<InstanceSummary>> {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.runtime.listInstances(query, offset, pageSize);
    return { items, page, pageSize, total };
  }

  /** Starts an instance of the latest version of a deployed workflow (analysts trying a diagram, integrations). */
  @Post('process-instances')
  @RequirePermission('workflows.deploy')
  async startInstance(@Body() body: StartInstanceDto, @CurrentActing() { actor, ip }: Acting) {
    try {
      // it runs as whoever started it: its task types act with their permissions, not the system's
      const id = await this.db.transaction(async (manager) => {
        const started = await this.runtime.startInstance(manager, body.key, body.businessKey ?? null, body.variables ?? {}, actor);
        await this.audit.record({ actor, ip, action: 'workflow.start', target: `process_instance:${started}`, details: { key: body.key, businessKey: body.businessKey ?? null } }, manager);
        return started;
      });
      return await this.runtime.getInstance(id);
    } catch (error) {
      if (error instanceof NotFoundError) throw ValidationError.of('key', `no workflow ${body.key} is deployed`);
      throw error;
    }
  }

  @Get('process-instances/:id')
  @RequirePermission('workflows.read')
  instance(@Param('id') id: string): Promise<ProcessInstanceView> {
    return this.runtime.getInstance(id);
  }

  /** Moves a waiting instance to another version (default: the latest) where its waiting elements exist. */
  @Post('process-instances/:id/migrate')
  @HttpCode(200)
  @RequirePermission('workflows.deploy')
  migrate(@Param('id') id: string, @Body() body: MigrateInstanceDto, @CurrentActing() acting: Acting) {
    return this.runtime.migrateInstance(id, body.version, acting);
  }

  @Post('incidents/:id/retry')
  @HttpCode(200)
  @RequirePermission('workflows.deploy')
  retry(@Param('id') id: string, @CurrentActing() acting: Acting) {
    return this.runtime.retryIncident(id, acting);
  }
}
