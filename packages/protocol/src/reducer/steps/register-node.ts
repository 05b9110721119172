import { refuse } from '../refusal.ts';
import type { Step } from '../step.ts';

/** An enterprise node joins with the key that signs its execution receipts and the enclaves it runs. */
export const registerNode: Step<'node_registered'> = {
  check(state, e) {
    if (state.enterprise_nodes[e.node_id] || state.masters[e.node_id]) {
      return refuse('node_exists', `node ${e.node_id} is already registered`);
    }
    const measurements = new Set(e.enclaves?.map((x) => `${x.provider}:${x.measurement}`));
    if (e.enclaves && measurements.size !== e.enclaves.length)
      return refuse('duplicate_enclave', 'an enclave measurement is registered twice');
    return undefined;
  },
  run(state, e, at) {
    state.enterprise_nodes[e.node_id] = {
      public_key: e.public_key,
      operator: e.operator,
      registered_seq: at.seq,
      ...(e.enclaves ? { enclaves: e.enclaves.map((x) => ({ ...x })) } : {}),
    };
  },
};
