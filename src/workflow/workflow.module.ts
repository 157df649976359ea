import { Global, Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DefinitionsService } from './definitions.service';
import { DraftsService } from './drafts.service';
import { JobWakeup } from './job-wakeup';
import { JobRepository } from './job-repository';
import { JobWorker } from './job-worker';
import { TaskSubjectRegistry } from './task-subjects';
import { TaskTypeRegistry } from './task-type.registry';
import { TasksController } from './tasks.controller';
import { SetVariablesTaskType } from './task-types/set-variables.task-type';
import { StepBacklog } from './step-backlog';
import { UserTasksService } from './user-tasks.service';
import { WorkflowController } from './workflow.controller';
import { WorkflowRuntimeService } from './workflow-runtime.service';

/** The generic BPMN runtime; business areas register their task types with TaskTypeRegistry. */
@Global()
@Module({
  imports: [AuthModule],
  controllers: [WorkflowController, TasksController],
  providers: [TaskTypeRegistry, TaskSubjectRegistry, DefinitionsService, DraftsService, WorkflowRuntimeService, UserTasksService, JobWakeup, JobRepository, JobWorker, SetVariablesTaskType, StepBacklog],
  exports: [TaskTypeRegistry, TaskSubjectRegistry, DefinitionsService, WorkflowRuntimeService, UserTasksService, JobWorker, StepBacklog],
})
export class WorkflowModule {}
