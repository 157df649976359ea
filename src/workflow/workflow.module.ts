import { Global, Module } from '@nestjs/common';
import { DefinitionsService } from './definitions.service';
import { JobWakeup } from './job-wakeup';
import { JobWorker } from './job-worker';
import { TaskTypeRegistry } from './task-type.registry';
import { WorkflowController } from './workflow.controller';
import { WorkflowRuntimeService } from './workflow-runtime.service';

/** The generic BPMN runtime; business areas register their task types with TaskTypeRegistry. */
@Global()
@Module({
  controllers: [WorkflowController],
  providers: [TaskTypeRegistry, DefinitionsService, WorkflowRuntimeService, JobWakeup, JobWorker],
  exports: [TaskTypeRegistry, DefinitionsService, WorkflowRuntimeService, JobWorker],
})
export class WorkflowModule {}
