import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

const isSorted = (xs: readonly string[]) => xs.every((x, i) => i === 0 || xs[i - 1]! < x);

/** A Vault's operator grants a registered actor some task classes on some attributes of the Vault. */
export const issueGrant: Step<'vault_grant_issued'> = {
  check(state, e) {
    const g = e.grant;
    if (state.grants[g.grant_id]) return refuse('grant_exists', `grant ${g.grant_id} already exists`);
    const vault = state.vaults[g.vault_id];
    if (!vault) return refuse('unknown_vault', `vault ${g.vault_id} is not registered`);
    if (vault.operator !== g.issuer) return refuse('not_vault_operator', `${g.issuer} does not operate ${g.vault_id}`);
    if (!state.actors[g.grantee]) return refuse('unknown_actor', `grantee ${g.grantee} is not registered`);
    if (!isSorted(g.attributes) || !isSorted(g.task_classes))
      return refuse('unsorted_grant', 'attributes and task_classes are sorted and unique');
    return undefined;
  },
  run(state, e, at) {
    state.grants[e.grant.grant_id] = { ...e.grant, issued_seq: at.seq };
  },
};
