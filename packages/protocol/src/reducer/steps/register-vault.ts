import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** A Vault is hosted by a registered enterprise node. */
export const registerVault: Step<'vault_registered'> = {
  check(state, e) {
    if (state.vaults[e.vault_id]) return refuse('vault_exists', `vault ${e.vault_id} is already registered`);
    if (!state.enterprise_nodes[e.node_id]) return refuse('unknown_node', `node ${e.node_id} is not registered`);
    return undefined;
  },
  run(state, e) {
    state.vaults[e.vault_id] = { node_id: e.node_id, operator: e.operator };
  },
};
