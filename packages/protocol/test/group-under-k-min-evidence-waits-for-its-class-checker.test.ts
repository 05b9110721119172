import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adjudicateEvidence, evidenceFitsTarget } from '../src/index.ts';
import { challengeOf } from './support/challenge-flow.ts';
import { fakeDigest } from './support/network-fixture.ts';
import { actorDecision, executeTask, verificationNetwork } from './support/verification-network.ts';

describe('group_under_k_min evidence is judged by the Query class checker', () => {
  const net = verificationNetwork();
  const receipt = executeTask(net, 'tsk_q', 'vlt_a1', fakeDigest('released'));
  const a = net.state.tasks.tsk_q!.verification_assignment!;
  net.must({ type: 'verification_decided', decision: actorDecision(net, 'tsk_q', a.verifier!, 'accepted') });
  const evidence = {
    kind: 'group_under_k_min' as const,
    task_id: 'tsk_q',
    attempt: 1,
    output_hash: receipt.output_hash,
    group_key: '["books"]',
    claimed_subjects: 2,
  };
  const challenge = challengeOf('chl_k', { kind: 'task', task_id: 'tsk_q' }, evidence);

  it('fits a task target only', () => {
    assert.equal(evidenceFitsTarget(challenge.target, evidence), undefined);
    assert.equal(evidenceFitsTarget({ kind: 'settlement', epoch_id: 1 }, evidence)?.field, 'evidence.kind');
  });

  it('is not confirmed without a checker, and follows the checker verdict once one is plugged in', () => {
    assert.equal(adjudicateEvidence(net.state, challenge, evidence, { receipt }).reason_code, 'evidence_not_checkable');
    const upheld = adjudicateEvidence(net.state, challenge, evidence, {
      receipt,
      class_check: { confirmed: true, reason_code: 'group_below_k_min' },
    });
    assert.equal(upheld.outcome, 'confirmed');
    assert.equal(upheld.accused, 'node_ent-a');
    const cleared = adjudicateEvidence(net.state, challenge, evidence, {
      receipt,
      class_check: { confirmed: false, reason_code: 'group_meets_k_min' },
    });
    assert.equal(cleared.outcome, 'not_confirmed');
  });

  it('is not confirmed when it is about another output than the recorded receipt', () => {
    const other = { ...evidence, output_hash: fakeDigest('another release') };
    const r = adjudicateEvidence(net.state, challenge, other, {
      receipt,
      class_check: { confirmed: true, reason_code: 'group_below_k_min' },
    });
    assert.equal(r.reason_code, 'claim_other_output');
  });
});
