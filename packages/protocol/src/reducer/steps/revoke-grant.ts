import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** The issuing Vault operator revokes a live grant. */
export const revokeGrant: Step<'vault_grant_revoked'> = {
  check(state, e) {
    const g = state.grants[e.grant_id];
    if (!g) return refuse('unknown_grant', `grant ${e.grant_id} does not exist`);
    if (g.revoked_seq !== undefined) return refuse('grant_revoked', `grant ${e.grant_id} is already revoked`);
    if (g.issuer !== e.revoked_by) return refuse('not_vault_operator', `${e.revoked_by} did not issue ${e.grant_id}`);
    return undefined;
  },
  run(state, e, at) {
    state.grants[e.grant_id]!.revoked_seq = at.seq;
  },
};
