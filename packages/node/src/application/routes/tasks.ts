/** Task routes: submit (with optional idempotency), inspect, list, follow events and Train rounds, fetch the result. */
import {
  IDEMPOTENCY_KEY_PATTERN,
  SubmitTaskRequest,
  TaskEvents,
  TaskList,
  TaskListQuery,
  TaskResult,
  TaskRounds,
  TaskView,
} from '@symphony/api';
import { TaskId } from '@symphony/protocol';
import Type from 'typebox';
import { errorResponses } from '../error-responses.ts';
import { ApiFailure, type MasterApi } from '../master-api.ts';
import { callerOf } from '../request-auth.ts';
import { described } from '../response-schemas.ts';
import { maySeeTask, seesAllTasks } from '../task-visibility.ts';
import type { ApiApp } from './api-app.ts';
import { NoQuery } from './shared-schemas.ts';

/** Characters and length an `Idempotency-Key` header may have. */

const TaskIdParams = Type.Object({ taskId: TaskId }, { additionalProperties: false });

const SubmitTaskHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      pattern: IDEMPOTENCY_KEY_PATTERN,
      description:
        'Makes the submission safe to retry: the same key and body return the same task (200); ' +
        'the same key with another body is 409 idempotency_conflict.',
    }),
  ),
});

const tags = ['tasks'];

/** Registers the `/v1/tasks` routes. */
export function registerTaskRoutes(app: ApiApp, api: MasterApi): void {
  app.post(
    '/v1/tasks',
    {
      schema: {
        operationId: 'submitTask',
        summary: 'Submit a task',
        description: 'Admission validates the request and turns it into a TaskEnvelope.',
        tags,
        querystring: NoQuery,
        headers: SubmitTaskHeaders,
        body: SubmitTaskRequest,
        response: {
          200: described(TaskView, 'An idempotent replay: the task this Idempotency-Key and body created before.'),
          201: described(TaskView, 'The admitted task.'),
          ...errorResponses(
            'body_too_large',
            'idempotency_conflict',
            'task_refused',
            'unknown_vault',
            'consent_missing',
            'consent_revoked',
            'unknown_semantic_version',
            'unknown_attribute',
            'incompatible_semantic_version',
            'attribute_not_mapped',
            'not_granted',
            'delegation_invalid',
            'delegation_expired',
            'delegation_out_of_scope',
            'quota_exceeded',
            'insufficient_budget',
            'executor_understaked',
          ),
        },
      },
    },
    async (request, reply) => {
      const key = request.headers['idempotency-key'];
      const caller = callerOf(request);
      const { task, created } = caller
        ? await api.submitTask(request.body, key, caller)
        : key === undefined
          ? await api.submitTask(request.body)
          : await api.submitTask(request.body, key);
      return reply.code(created ? 201 : 200).send(task);
    },
  );

  app.get(
    '/v1/tasks',
    {
      schema: {
        operationId: 'listTasks',
        summary: 'List tasks',
        tags,
        querystring: TaskListQuery,
        response: {
          200: described(TaskList, 'One page of tasks; pass next_cursor as cursor for the next.'),
          ...errorResponses(),
        },
      },
    },
    async (request) => {
      const page = await api.listTasks(request.query);
      const caller = callerOf(request);
      // Another submitter's tasks are left out of the page (the cursor still walks the whole list).
      return seesAllTasks(caller)
        ? page
        : { ...page, tasks: page.tasks.filter((t) => maySeeTask(caller, t.submitter)) };
    },
  );

  app.get(
    '/v1/tasks/:taskId',
    {
      schema: {
        operationId: 'getTask',
        summary: 'Get a task',
        tags,
        params: TaskIdParams,
        querystring: NoQuery,
        response: { 200: described(TaskView, 'The task.'), ...errorResponses('not_found') },
      },
    },
    async (request) => {
      const task = api.getTask(request.params.taskId);
      if (task === undefined) throw new ApiFailure('not_found', `No task ${request.params.taskId}.`);
      return task;
    },
  );

  app.get(
    '/v1/tasks/:taskId/events',
    {
      schema: {
        operationId: 'getTaskEvents',
        summary: "A task's protocol events",
        tags,
        params: TaskIdParams,
        querystring: NoQuery,
        response: {
          200: described(TaskEvents, 'The protocol events of the task, in log order.'),
          ...errorResponses('not_found'),
        },
      },
    },
    async (request) => {
      const events = await api.taskEvents(request.params.taskId);
      if (events === undefined) throw new ApiFailure('not_found', `No task ${request.params.taskId}.`);
      return events;
    },
  );

  app.get(
    '/v1/tasks/:taskId/rounds',
    {
      schema: {
        operationId: 'getTaskRounds',
        summary: "A Train task's rounds",
        description:
          'Every round of the current attempt with its released held-out metric, as the train round events ' +
          'of the protocol log record them; available while the task trains. Same visibility as the task.',
        tags,
        params: TaskIdParams,
        querystring: NoQuery,
        response: {
          200: described(TaskRounds, 'The rounds so far, in round order.'),
          ...errorResponses('not_found'),
        },
      },
    },
    async (request) => api.taskRounds(request.params.taskId),
  );

  app.get(
    '/v1/tasks/:taskId/result',
    {
      schema: {
        operationId: 'getTaskResult',
        summary: "A task's released result",
        tags,
        params: TaskIdParams,
        querystring: NoQuery,
        response: {
          200: described(TaskResult, 'The released result (an aggregate) and its receipt.'),
          ...errorResponses('not_found', 'result_not_ready'),
        },
      },
    },
    async (request) => api.taskResult(request.params.taskId),
  );
}
