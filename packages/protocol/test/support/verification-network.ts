/**
 * A network with registered, staked actors for verification and challenge tests: a funded
 * submitter with grants, staked executors (the Vault operators), three staked verifier actors,
 * a staked and funded watcher that challenges, and staked master operators.
 */
import {
  decisionHash,
  digestBytes,
  type ExecutionReceipt,
  type ParameterSet,
  type VerificationDecision,
} from '../../src/index.ts';
import { defaultParameters, fakeDigest, NetworkFixture, seededKey } from './network-fixture.ts';

export const VERIFIERS = ['act_verifier-1', 'act_verifier-2', 'act_verifier-3'] as const;
export const WATCHER = 'act_watcher';
export const EXECUTOR_STAKE = '1000000';
export const MASTER_STAKE = '2000000';

type Role = 'task_submitter' | 'vault_operator' | 'executor' | 'verifier' | 'governance';

export function verificationNetwork(overrides: Partial<ParameterSet> = {}): NetworkFixture {
  const net = new NetworkFixture().genesis(defaultParameters(overrides));
  net.enterpriseNode('node_ent-a', ['vlt_a1']).enterpriseNode('node_ent-b', ['vlt_b1']);
  const register = (actor_id: string, roles: Role[]) =>
    net.must({ type: 'actor_registered', actor_id, roles, public_key: seededKey(actor_id).publicKeyHex });
  const fund = (actor_id: string, account: 'balance' | 'stake', amount: string) =>
    net.must({ type: 'account_funded', actor_id, account, amount });
  register('act_brand', ['task_submitter']);
  fund('act_brand', 'balance', '100000000');
  for (const op of ['act_op-ent-a', 'act_op-ent-b']) {
    register(op, ['executor', 'vault_operator']);
    fund(op, 'stake', EXECUTOR_STAKE);
  }
  for (const v of VERIFIERS) {
    register(v, ['verifier']);
    fund(v, 'stake', '100000');
  }
  register(WATCHER, ['verifier']);
  fund(WATCHER, 'stake', '1000');
  fund(WATCHER, 'balance', '10000');
  for (const m of net.masters) {
    // The seven SCP actors have no network-operator role; master operators register under governance.
    register(m.operator, ['governance']);
    fund(m.operator, 'stake', MASTER_STAKE);
  }
  for (const [vault_id, issuer] of [
    ['vlt_a1', 'act_op-ent-a'],
    ['vlt_b1', 'act_op-ent-b'],
  ] as const) {
    net.must({
      type: 'vault_grant_issued',
      grant: {
        schema_version: 1,
        grant_id: `grt_${vault_id.slice(4)}`,
        vault_id,
        issuer,
        grantee: 'act_brand',
        task_classes: ['compute'],
        domain: 'commerce.receipt',
        attributes: ['category', 'total_amount'],
      },
    });
  }
  return net;
}

/** Admits, resolves, dispatches a task on one Vault and records a receipt with `output`. */
export function executeTask(net: NetworkFixture, task_id: string, vault_id: string, output: string): ExecutionReceipt {
  const env = net.envelope(task_id, [vault_id], { authorization: { grant_ids: [`grt_${vault_id.slice(4)}`] } });
  const admitted = net.admit(env);
  if (admitted.kind !== 'applied') throw new Error(JSON.stringify(admitted));
  net.must({ type: 'task_resolution_started', task_id });
  if (net.dispatch(task_id).kind !== 'applied') throw new Error('dispatch failed');
  const receipt = net.receipt(task_id, { output_hash: output, transcript_hash: fakeDigest(`transcript/${output}`) });
  net.must({ type: 'execution_receipt_recorded', receipt });
  return receipt;
}

/** A decision signed by a verifier actor's key. */
export function actorDecision(
  net: NetworkFixture,
  task_id: string,
  verifier: string,
  outcome: VerificationDecision['outcome'],
  opts: { method?: VerificationDecision['method']; reason_code?: string; reexecution_output_hash?: string } = {},
): VerificationDecision {
  const t = net.state.tasks[task_id]!;
  const key = seededKey(verifier);
  const unsigned: Omit<VerificationDecision, 'signature'> = {
    schema_version: 1,
    task_id,
    attempt: t.attempt,
    verifier,
    receipt_hash: t.receipt_hash!,
    outcome,
    method: opts.method ?? 'reexecution',
    ...(opts.reason_code ? { reason_code: opts.reason_code } : {}),
    ...(opts.reexecution_output_hash ? { reexecution_output_hash: opts.reexecution_output_hash } : {}),
    signer_public_key: key.publicKeyHex,
  };
  return { ...unsigned, signature: key.sign(digestBytes(decisionHash(unsigned))) };
}
