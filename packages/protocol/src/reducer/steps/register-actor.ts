import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** An actor joins with its key and roles; an actor id is registered once. */
export const registerActor: Step<'actor_registered'> = {
  check(state, e) {
    if (state.actors[e.actor_id]) return refuse('actor_exists', `actor ${e.actor_id} is already registered`);
    return undefined;
  },
  run(state, e, at) {
    state.actors[e.actor_id] = { roles: [...e.roles].sort(), public_key: e.public_key, registered_seq: at.seq };
    state.accounts[e.actor_id] ??= { balance: '0', stake: '0' };
  },
};
