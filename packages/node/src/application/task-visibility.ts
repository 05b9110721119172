/**
 * Who may see which task. Operators of the network (governance, verifiers, executors, Vault
 * operators, the treasury) see every task; any other actor (a submitter, a data producer) sees
 * only the tasks it submitted. Another actor's task is answered as if it did not exist (404), so
 * its id, class, targets and result stay private.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Caller } from './caller.ts';
import { ApiFailure, type MasterApi } from './master-api.ts';
import { callerOf } from './request-auth.ts';

/** Roles whose holders see every task. */
export const ALL_TASKS_ROLES: readonly string[] = ['governance', 'verifier', 'executor', 'vault_operator', 'treasury'];

/** True when `caller` sees every task (authentication off means no caller: the HTTP-layer tests). */
export function seesAllTasks(caller: Caller | undefined): boolean {
  return caller === undefined || caller.roles.some((r) => ALL_TASKS_ROLES.includes(r));
}

/** True when `caller` may see a task submitted by `submitter`. */
export function maySeeTask(caller: Caller | undefined, submitter: string): boolean {
  return seesAllTasks(caller) || caller?.actor_id === submitter;
}

/** Adds the check to every `/v1/tasks/:taskId…` route: another submitter's task is `not_found`. */
export function registerTaskVisibility(app: FastifyInstance, api: MasterApi): void {
  app.addHook('preHandler', async (request: FastifyRequest) => {
    if (!(request.routeOptions.url ?? '').startsWith('/v1/tasks/:taskId')) return;
    const caller = callerOf(request);
    if (seesAllTasks(caller)) return;
    const taskId = (request.params as { taskId?: string }).taskId ?? '';
    const task = api.getTask(taskId);
    if (task !== undefined && !maySeeTask(caller, task.submitter))
      throw new ApiFailure('not_found', `No task ${taskId}.`);
  });
}
