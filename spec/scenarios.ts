/**
 * Named protocol scenarios: the event sequences behind the golden vectors and the reducer benchmark.
 * Each returns the fixture after the scenario, with its log and folded state.
 */
import {
  type AttestationKind,
  type AttributeDefinition,
  attestationHash,
  digestBytes,
  type SemanticPromotion,
  statementHash,
} from '../packages/protocol/src/index.ts';
import { runChallenge, challengeOf as stakedChallengeOf } from '../packages/protocol/test/support/challenge-flow.ts';
import { defaultParameters, fakeDigest, NetworkFixture } from '../packages/protocol/test/support/network-fixture.ts';
import {
  actorDecision,
  executeTask,
  verificationNetwork,
} from '../packages/protocol/test/support/verification-network.ts';

function network(parameters = defaultParameters()): NetworkFixture {
  return new NetworkFixture()
    .genesis(parameters)
    .enterpriseNode('node_ent-a', ['vlt_a1', 'vlt_a2'])
    .enterpriseNode('node_ent-b', ['vlt_b1']);
}

const challengeOf = (challenge_id: string, task_id: string) => ({
  type: 'challenge_opened' as const,
  challenge: {
    schema_version: 1 as const,
    challenge_id,
    target: { kind: 'task' as const, task_id },
    challenger: 'act_watcher',
    grounds: 'output_mismatch',
    bond: '500',
    evidence_hash: fakeDigest(`evidence/${challenge_id}`),
  },
});

/** Three tasks: one settles, one fails honestly, one is rejected by verification; 2 of 3 masters finalize. */
export function happyPath(): NetworkFixture {
  const net = network().completeTask('tsk_coffee', ['vlt_a1', 'vlt_b1']).completeTask('tsk_grocery', ['vlt_a2']);
  net.admit(net.envelope('tsk_broken', ['vlt_b1']));
  net.must({ type: 'task_resolution_started', task_id: 'tsk_broken' });
  net.dispatch('tsk_broken');
  net.must({
    type: 'execution_receipt_recorded',
    receipt: net.receipt('tsk_broken', { status: 'failed', failure_code: 'bad_input' }),
  });
  net.admit(net.envelope('tsk_wrong', ['vlt_a1']));
  net.must({ type: 'task_resolution_started', task_id: 'tsk_wrong' });
  net.dispatch('tsk_wrong');
  net.must({ type: 'execution_receipt_recorded', receipt: net.receipt('tsk_wrong') });
  net.must({ type: 'verification_decided', decision: net.decision('tsk_wrong', 'rejected', 2, 'output_mismatch') });
  net.closeEpoch();
  net.sign(1, 0);
  net.sign(1, 2);
  return net;
}

/** A challenge withdraws the candidate, is upheld, and the epoch settles on a rebuilt root. */
export function challengePenalty(): NetworkFixture {
  const net = network().completeTask('tsk_a', ['vlt_a1']).completeTask('tsk_b', ['vlt_b1']).closeEpoch();
  net.sign(1, 0);
  net.must(challengeOf('chl_fraud', 'tsk_b'));
  net.must({ type: 'challenge_review_started', challenge_id: 'chl_fraud' });
  net.must({
    type: 'challenge_decided',
    challenge_id: 'chl_fraud',
    outcome: 'confirmed',
    decision_hash: fakeDigest('replay/chl_fraud'),
  });
  net.must({ type: 'challenge_closed', challenge_id: 'chl_fraud', outcome: 'penalty_recorded' });
  net.sign(1, 1);
  net.sign(1, 2);
  return net;
}

/** Masters disagree, one equivocates, the settlement fails and is recovered with a new attempt. */
export function equivocationAndRecovery(): NetworkFixture {
  const net = network().completeTask('tsk_a', ['vlt_a1']).closeEpoch();
  const honest = net.statement(1);
  net.sign(1, 0, { ...honest, rewards_root: fakeDigest('bad rewards root') });
  net.sign(1, 0, honest);
  net.sign(1, 1, { ...honest, settlement_root: fakeDigest('bad settlement root') });
  net.must({ type: 'settlement_retried', epoch_id: 1 });
  net.sign(1, 1);
  net.sign(1, 2);
  return net;
}

/** Entries that chain correctly but do not apply: each is counted and changes nothing else. */
export function refusals(): NetworkFixture {
  const net = network();
  const env = net.envelope('tsk_r', ['vlt_a1']);
  net.admit(env);
  net.admit(env);
  net.append({ type: 'task_timed_out', task_id: 'tsk_r' });
  net.append({ type: 'epoch_closed', epoch_id: 1, trigger: 'schedule' });
  net.append({
    type: 'policy_published',
    parameters: defaultParameters({ policy_version: 2, effective_from_epoch: 1 }),
  });
  net.append({ type: 'task_resolution_started', task_id: 'tsk_nope' });
  net.append({ type: 'task_timed_out', task_id: 'tsk_r' }, { advance_ms: 600_000 });
  return net;
}

/** A statement about a Vault signed by the enterprise node hosting it. */
function vaultSigned<T extends { signer_node: string }>(net: NetworkFixture, kind: AttestationKind, unsigned: T) {
  const key = net.enterprise.get(unsigned.signer_node)!;
  return { ...unsigned, signature: key.sign(digestBytes(attestationHash(kind, unsigned as never))) };
}

/**
 * Consent and semantic governance: a batch of grants, a revocation, a replayed and a foreign grant; a Vault mapping with
 * derivation rules; a candidate proposed by three Vaults in epoch 1 and promoted by a master into
 * 1.1.0 in epoch 2; a task pinned to the new version with its resolution hash in the envelope.
 */
export function consentAndSemantics(): NetworkFixture {
  const net = network();
  const grant = (vault_id: string, signer_node: string, subject: string, revision: number) =>
    vaultSigned(net, 'consent_grant', {
      schema_version: 1 as const,
      vault_id,
      subject,
      scope: 'analytics' as const,
      revision,
      expires_at_ms: net.time_ms + 86_400_000,
      signer_node,
    });
  net.must({
    type: 'consent_granted',
    consents: [grant('vlt_a1', 'node_ent-a', 'act_ann', 1), grant('vlt_a1', 'node_ent-a', 'act_bob', 1)],
  });
  const replay = grant('vlt_a1', 'node_ent-a', 'act_ann', 1);
  net.append({ type: 'consent_granted', consents: [replay] });
  net.append({ type: 'consent_granted', consents: [grant('vlt_a1', 'node_ent-b', 'act_cat', 1)] });
  net.must({
    type: 'consent_revoked',
    revocation: vaultSigned(net, 'consent_revocation', {
      schema_version: 1 as const,
      vault_id: 'vlt_a1',
      subject: 'act_bob',
      scope: 'analytics' as const,
      revision: 2,
      signer_node: 'node_ent-a',
    }),
  });
  const payment: AttributeDefinition = {
    name: 'payment_method',
    type: 'category',
    sensitivity: 'public',
    aggregations: ['count', 'group_by', 'filter'],
  };
  for (const [vault_id, signer_node] of [
    ['vlt_a1', 'node_ent-a'],
    ['vlt_a2', 'node_ent-a'],
    ['vlt_b1', 'node_ent-b'],
  ] as const) {
    net.must({
      type: 'semantic_candidate_proposed',
      candidate: vaultSigned(net, 'semantic_candidate', {
        schema_version: 1 as const,
        vault_id,
        domain: 'commerce.receipt',
        attribute: payment,
        signer_node,
      }),
    });
  }
  net.closeEpoch();
  const master = net.masters[0]!;
  const promotion: Omit<SemanticPromotion, 'signature'> = {
    schema_version: 1,
    domain: 'commerce.receipt',
    from_version: '1.0.0',
    semantic_version: '1.1.0',
    epoch_id: 1,
    attributes: ['payment_method'],
    approver: master.id,
  };
  net.must({
    type: 'semantic_candidates_promoted',
    promotion: {
      ...promotion,
      signature: master.key.sign(digestBytes(attestationHash('semantic_promotion', promotion))),
    },
  });
  net.must({
    type: 'vault_mapping_declared',
    mapping: vaultSigned(net, 'vault_mapping', {
      schema_version: 1 as const,
      vault_id: 'vlt_a1',
      domain: 'commerce.receipt',
      semantic_version: '1.1.0',
      fields: [
        { attribute: 'category', derivation: 'lower(kind)' },
        { attribute: 'payment_method', derivation: 'lower(pay)' },
        { attribute: 'total_amount', derivation: 'sum(items.price)' },
      ],
      signer_node: 'node_ent-a',
    }),
  });
  const env = net.envelope('tsk_pinned', ['vlt_a1'], {
    semantic: {
      domain: 'commerce.receipt',
      semantic_version: '1.1.0',
      attributes: ['payment_method', 'total_amount'],
      resolution_hash: fakeDigest('resolution/tsk_pinned'),
    },
  });
  net.admit(env);
  net.must({ type: 'task_resolution_started', task_id: 'tsk_pinned' });
  net.append({
    type: 'task_dispatched',
    task_id: 'tsk_pinned',
    attempt: 1,
    resolution_hash: fakeDigest('another resolution'),
    assignments: [{ vault_id: 'vlt_a1', node_id: 'node_ent-a' }],
  });
  net.must({
    type: 'task_dispatched',
    task_id: 'tsk_pinned',
    attempt: 1,
    resolution_hash: fakeDigest('resolution/tsk_pinned'),
    assignments: [{ vault_id: 'vlt_a1', node_id: 'node_ent-a' }],
  });
  return net;
}

/** Many tasks over several epochs, for the reducer benchmark. */
export function busyNetwork(tasks: number, perEpoch: number): NetworkFixture {
  const net = network();
  for (let i = 0; i < tasks; i++) {
    net.completeTask(`tsk_b${i.toString(36)}`, [i % 3 === 0 ? 'vlt_b1' : 'vlt_a1']);
    if ((i + 1) % perEpoch === 0) {
      net.closeEpoch();
      const epoch = net.state.current_epoch - 1;
      net.sign(epoch, 0);
      net.sign(epoch, 1);
    }
  }
  return net;
}

/**
 * Staked verifier actors assigned by the log; master-2 signs two roots for epoch 1 and a watcher
 * proves it (slashed, candidate rebuilt); a bogus conflicting-receipt challenge closes without
 * penalty and forfeits its bond. Evidence lives off the log: the equivocation evidence is the two
 * `settlement_signed` events of master-2, the bogus evidence a forged receipt.
 */
function stakedChallenges(): NetworkFixture {
  const net = verificationNetwork();
  const receipt = executeTask(net, 'tsk_sc', 'vlt_a1', fakeDigest('output/tsk_sc'));
  const a = net.state.tasks.tsk_sc!.verification_assignment!;
  net.must({ type: 'verification_decided', decision: actorDecision(net, 'tsk_sc', a.verifier!, 'accepted') });
  net.closeEpoch();
  const forged = {
    kind: 'conflicting_receipt' as const,
    task_id: 'tsk_sc',
    receipt: { ...receipt, output_hash: fakeDigest('x') },
  };
  runChallenge(net, stakedChallengeOf('chl_bogus', { kind: 'task', task_id: 'tsk_sc' }, forged), forged);
  const good = net.statement(1);
  const other = { ...good, settlement_root: fakeDigest('another root') };
  const m = net.masters[1]!;
  net.sign(1, 1);
  net.sign(1, 1, other);
  const signed = (st: typeof good) => ({ statement: st, signature: m.key.sign(digestBytes(statementHash(st))) });
  const evidence = {
    kind: 'master_equivocation' as const,
    epoch_id: 1,
    master_id: m.id,
    signed: [signed(good), signed(other)],
  };
  runChallenge(net, stakedChallengeOf('chl_equivocation', { kind: 'settlement', epoch_id: 1 }, evidence), evidence);
  net.sign(1, 0);
  net.sign(1, 2);
  return net;
}

export const REDUCER_SCENARIOS = {
  'happy-path': happyPath,
  'challenge-penalty': challengePenalty,
  'equivocation-and-recovery': equivocationAndRecovery,
  refusals,
  'consent-and-semantics': consentAndSemantics,
  'staked-challenges': stakedChallenges,
} as const;
