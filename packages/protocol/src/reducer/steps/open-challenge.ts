import { parseAmount } from '../../encoding/amount.ts';
import { policyInForce } from '../../params/resolve-parameters.ts';
import { challengerRefusal, holdBond } from '../challenge-economics.ts';
import { challengeContext, engageTarget } from '../challenge-targets.ts';
import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/**
 * A challenge with its bond and evidence hash, against verified work in candidate context or inside
 * the window. Where actors are registered, the challenger must be staked and the bond leaves its balance.
 */
export const openChallenge: Step<'challenge_opened'> = {
  check(state, e, at) {
    const c = e.challenge;
    if (state.challenges[c.challenge_id]) return refuse('duplicate_challenge', `${c.challenge_id} already exists`);
    const policy = policyInForce(state, at.epoch_id);
    if (policy && parseAmount(c.bond) < parseAmount(policy.challenge_bond)) {
      return refuse('bond_too_small', `the bond must be at least ${policy.challenge_bond}`);
    }
    const ctx = challengeContext(state, c.target, at);
    if ('code' in ctx) return ctx;
    return challengerRefusal(state, c);
  },
  run(state, e, at) {
    const ctx = challengeContext(state, e.challenge.target, at);
    if ('code' in ctx) return;
    const record = {
      challenge: e.challenge,
      state: 'opened' as const,
      history: [{ state: 'opened' as const, seq: at.seq, time_ms: at.time_ms }],
      epoch_id: ctx.epoch_id,
      evidence_hashes: [e.challenge.evidence_hash],
      opened_in_finalized_context: ctx.finalized,
    };
    state.challenges[e.challenge.challenge_id] = record;
    holdBond(state, record, at);
    engageTarget(state, record, at);
  },
};
