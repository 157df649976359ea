import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { RequirePermission } from '../auth/auth.decorators';
import { type Actor, CurrentActor } from '../common/actor';
import { type Page, PageQuery, pageWindow } from '../common/pagination';
import type { TaskSubject } from './task-subjects';
import { UserTasksService, type UserTaskView } from './user-tasks.service';

const TASK_STATUSES = ['open', 'claimed', 'completed', 'cancelled'];

class TaskQuery extends PageQuery {
  @ApiPropertyOptional({ example: 'active', description: `active, or one or more of ${TASK_STATUSES.join(', ')}` })
  @IsOptional() @IsString() @Matches(new RegExp(`^(active|(${TASK_STATUSES.join('|')})(,(${TASK_STATUSES.join('|')}))*)$`), { message: `must be active or one or more of ${TASK_STATUSES.join(', ')}` }) status?: string;
  @ApiPropertyOptional({ example: 'operator' }) @IsOptional() @IsString() @MaxLength(40) role?: string;
  @ApiPropertyOptional({ example: 'admin@example.com' }) @IsOptional() @IsString() @MaxLength(254) assignee?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() instanceId?: string;
}

class CompleteTaskDto {
  @ApiPropertyOptional({ type: 'object', additionalProperties: true, example: { approved: true } }) @IsOptional() @IsObject() variables?: Record<string, unknown>;
}


/** GET /api/tasks, claim, complete (API.md "Workflows and tasks"; Camunda Tasklist's job). */
@ApiTags('workflows')
@ApiBearerAuth()
@Controller('api/tasks')
export class TasksController {
  constructor(private readonly tasks: UserTasksService) {}

  @Get()
  @RequirePermission('tasks.work')
  async list(@Query() query: TaskQuery): Promise<Page<UserTaskView>> {
    const { page, pageSize, offset } = pageWindow(query);
    const { items, total } = await this.tasks.list(query, offset, pageSize);
    return { items, page, pageSize, total };
  }

  @Get(':id')
  @RequirePermission('tasks.work')
  get(@Param('id') id: string): Promise<UserTaskView> {
    return this.tasks.get(id);
  }

  /** The order or after-sales case the task concerns (issue 14 item 9): `{subject: null}` for an instance of neither. */
  @Get(':id/subject')
  @RequirePermission('tasks.work')
  async subject(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<{ subject: TaskSubject | null }> {
    return { subject: await this.tasks.subject(id, actor) };
  }

  @Post(':id/claim')
  @HttpCode(200)
  @RequirePermission('tasks.work')
  claim(@Param('id') id: string, @CurrentActor() actor: Actor): Promise<UserTaskView> {
    return this.tasks.claim(id, actor);
  }

  @Post(':id/complete')
  @HttpCode(200)
  @RequirePermission('tasks.work')
  complete(@Param('id') id: string, @Body() body: CompleteTaskDto, @CurrentActor() actor: Actor): Promise<UserTaskView> {
    return this.tasks.complete(id, body.variables ?? {}, actor);
  }
}
