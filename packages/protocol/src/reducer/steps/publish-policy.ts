import { parameterSetProblems } from '../../params/validate-parameter-set.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** Governance publishes the next parameter set; it can only take effect in a future epoch. */
export const publishPolicy: Step<'policy_published'> = {
  check(state, e, at) {
    const p = e.parameters;
    const latest = state.parameter_history[state.parameter_history.length - 1];
    if (!latest || p.policy_version !== latest.policy_version + 1) {
      return refuse('policy_version_out_of_order', `the next policy_version is ${(latest?.policy_version ?? 0) + 1}`);
    }
    if (p.effective_from_epoch <= at.epoch_id) {
      return refuse('retroactive_policy', 'a parameter set takes effect only in a future epoch');
    }
    const problems = parameterSetProblems(p, Object.keys(state.masters).length);
    return problems.length > 0 ? refuse('invalid_parameters', problems.join('; ')) : undefined;
  },
  run(state, e) {
    state.parameter_history.push(e.parameters);
  },
};
