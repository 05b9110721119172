import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** A registered user revokes one of its delegation credentials (by hash). */
export const revokeDelegation: Step<'delegation_revoked'> = {
  check(state, e) {
    if (!state.actors[e.principal]) return refuse('unknown_actor', `actor ${e.principal} is not registered`);
    if (state.revoked_delegations[e.credential_hash] !== undefined)
      return refuse('delegation_revoked', 'the credential is already revoked');
    // Only its principal withdraws a credential: a task admitted under it names the principal.
    for (const t of Object.values(state.tasks))
      if (t.delegation?.credential_hash === e.credential_hash && t.delegation.principal !== e.principal)
        return refuse('not_principal', `${e.principal} did not sign this credential`);
    return undefined;
  },
  run(state, e, at) {
    state.revoked_delegations[e.credential_hash] = at.seq;
  },
};
