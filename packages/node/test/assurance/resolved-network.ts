/** A protocol-fixture network whose tasks are dispatched with their real semantic resolution. */
import { NetworkFixture } from '@symphony/protocol/test/support/network-fixture.ts';
import { resolveTask } from '../../src/semantic/resolve-task.ts';

/** Admits, resolves (with `resolveTask`), executes and verifies a task. */
export function completeResolvedTask(net: NetworkFixture, task_id: string, vault_ids: readonly string[]): void {
  const envelope = net.envelope(task_id, vault_ids);
  if (net.admit(envelope).kind !== 'applied') throw new Error(`${task_id} not admitted`);
  net.must({ type: 'task_resolution_started', task_id });
  const r = resolveTask(net.state, envelope);
  if (!r.ok) throw new Error(`${task_id} does not resolve: ${r.message}`);
  net.must({
    type: 'task_dispatched',
    task_id,
    attempt: 1,
    resolution_hash: r.hash,
    assignments: vault_ids.map((vault_id) => ({ vault_id, node_id: net.state.vaults[vault_id]!.node_id })),
  });
  net.must({ type: 'execution_receipt_recorded', receipt: net.receipt(task_id) });
  net.must({ type: 'verification_decided', decision: net.decision(task_id, 'accepted') });
}

/** `epochs` finalized epochs of `perEpoch` tasks each (2 of 3 masters sign), then one open epoch. */
export function resolvedNetwork(epochs: number, perEpoch: number): NetworkFixture {
  const net = new NetworkFixture()
    .genesis()
    .enterpriseNode('node_ent-a', ['vlt_a1', 'vlt_a2'])
    .enterpriseNode('node_ent-b', ['vlt_b1']);
  for (let e = 0; e < epochs; e++) {
    for (let i = 0; i < perEpoch; i++) completeResolvedTask(net, `tsk_e${e}n${i}`, [i % 3 === 0 ? 'vlt_b1' : 'vlt_a1']);
    net.closeEpoch();
    const epoch = net.state.current_epoch - 1;
    net.sign(epoch, 0);
    net.sign(epoch, 2);
  }
  return net;
}
