import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** An enterprise node joins with the key that signs its execution receipts. */
export const registerNode: Step<'node_registered'> = {
  check(state, e) {
    if (state.enterprise_nodes[e.node_id] || state.masters[e.node_id]) {
      return refuse('node_exists', `node ${e.node_id} is already registered`);
    }
    return undefined;
  },
  run(state, e, at) {
    state.enterprise_nodes[e.node_id] = { public_key: e.public_key, operator: e.operator, registered_seq: at.seq };
  },
};
