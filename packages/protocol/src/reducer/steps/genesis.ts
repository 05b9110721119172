import { parameterSetProblems } from '../../params/validate-parameter-set.ts';
import { refuse } from '../refusal.ts';
import { openSettlement } from '../settlement-flow.ts';
import type { Step } from '../step.ts';

/** Seq 0: the network's masters, treasury, first parameter set and semantic registry. */
export const genesis: Step<'genesis'> = {
  check(state, e, at) {
    if (at.seq !== 0 || state.head !== null) return refuse('genesis_not_first', 'genesis must be the first entry');
    if (at.epoch_id !== 1) return refuse('wrong_epoch', 'genesis opens epoch 1');
    const p = e.parameters;
    if (p.policy_version !== 1 || p.effective_from_epoch !== 1) {
      return refuse('invalid_parameters', 'the genesis parameter set is policy_version 1 from epoch 1');
    }
    const problems = parameterSetProblems(p, e.masters.length);
    if (problems.length > 0) return refuse('invalid_parameters', problems.join('; '));
    if (new Set(e.masters.map((m) => m.node_id)).size !== e.masters.length) {
      return refuse('duplicate_master', 'master node ids must be unique');
    }
    const keys = new Set(e.semantic_domains.map((d) => `${d.domain}@${d.semantic_version}`));
    if (keys.size !== e.semantic_domains.length) return refuse('duplicate_domain', 'domain versions must be unique');
    return undefined;
  },
  run(state, e, at) {
    state.network_id = e.network_id;
    for (const m of e.masters) state.masters[m.node_id] = { public_key: m.public_key, operator: m.operator };
    state.treasury_account = e.treasury_account;
    state.parameter_history.push(e.parameters);
    for (const d of e.semantic_domains) state.semantic_domains[`${d.domain}@${d.semantic_version}`] = d;
    state.current_epoch = 1;
    state.epochs[1] = { epoch_id: 1, opened_at_seq: 0, opened_at_ms: at.time_ms };
    openSettlement(state, 1, at);
  },
};
