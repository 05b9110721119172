import { checkTaskEvent, moveTask } from '../moves.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/**
 * resolving -> dispatched, with the resolution's hash and the node hosting each target Vault.
 * A task already dispatched may be dispatched again (a retry) with the next attempt number.
 */
export const dispatchTask: Step<'task_dispatched'> = {
  check(state, e) {
    const t = state.tasks[e.task_id];
    if (!t) return refuse('unknown_task', `task ${e.task_id} does not exist`);
    if (t.state === 'dispatched') {
      if (e.attempt !== t.attempt + 1)
        return refuse('attempt_out_of_order', `the next attempt of ${t.task_id} is ${t.attempt + 1}`);
    } else {
      const refusal = checkTaskEvent(state.tasks, e.task_id, ['resolving'], 'dispatched');
      if (refusal) return refusal;
      if (e.attempt !== 1) return refuse('attempt_out_of_order', 'the first dispatch is attempt 1');
      // Before the first dispatch a resolution hash can only come from the admitted envelope.
      if (t.resolution_hash !== undefined && t.resolution_hash !== e.resolution_hash)
        return refuse('resolution_mismatch', 'the resolution differs from the one admission bound the task to');
    }
    const assigned = e.assignments.map((a) => a.vault_id).sort();
    if (assigned.length !== t.vault_ids.length || assigned.some((v, i) => v !== t.vault_ids[i])) {
      return refuse('assignment_mismatch', 'assignments must cover exactly the target vaults, once each');
    }
    const wrongHost = e.assignments.find((a) => state.vaults[a.vault_id]?.node_id !== a.node_id);
    if (wrongHost) return refuse('wrong_host', `vault ${wrongHost.vault_id} is not hosted by ${wrongHost.node_id}`);
    return undefined;
  },
  run(state, e, at) {
    const t = state.tasks[e.task_id]!;
    if (t.state !== 'dispatched') moveTask(t, 'dispatched', at);
    t.attempt = e.attempt;
    t.resolution_hash = e.resolution_hash;
    t.assignments = [...e.assignments].sort((a, b) => (a.vault_id < b.vault_id ? -1 : 1));
  },
};
