/** Drives a challenge through the reducer the way the adjudicator does: open, review, replay the evidence, decide, close. */
import assert from 'node:assert/strict';
import {
  type AdjudicationFindings,
  adjudicateEvidence,
  adjudicationHash,
  type Challenge,
  type ChallengeAdjudication,
  type ChallengeEvidence,
  challengeEvidenceHash,
} from '../../src/index.ts';
import type { NetworkFixture } from './network-fixture.ts';

export function challengeOf(
  id: string,
  target: Challenge['target'],
  evidence: ChallengeEvidence,
  opts: { challenger?: string; bond?: string; grounds?: string } = {},
): Challenge {
  return {
    schema_version: 1,
    challenge_id: id,
    target,
    challenger: opts.challenger ?? 'act_watcher',
    grounds: opts.grounds ?? evidence.kind,
    bond: opts.bond ?? '500',
    evidence_hash: challengeEvidenceHash(evidence),
  };
}

/** Opens, reviews, adjudicates, decides and closes; returns the adjudication. */
export function runChallenge(
  net: NetworkFixture,
  challenge: Challenge,
  evidence: ChallengeEvidence,
  findings: AdjudicationFindings = {},
): ChallengeAdjudication {
  const before = structuredClone(net.state);
  net.must({ type: 'challenge_opened', challenge });
  net.must({ type: 'challenge_review_started', challenge_id: challenge.challenge_id });
  const a = adjudicateEvidence(before, challenge, evidence, findings);
  net.must({
    type: 'challenge_decided',
    challenge_id: challenge.challenge_id,
    outcome: a.outcome,
    decision_hash: adjudicationHash(a),
    ...(a.accused && challenge.target.kind === 'settlement' ? { accused: a.accused } : {}),
  });
  net.must({
    type: 'challenge_closed',
    challenge_id: challenge.challenge_id,
    outcome: a.outcome === 'confirmed' ? 'penalty_recorded' : 'closed_without_penalty',
  });
  assert.equal(net.state.challenges[challenge.challenge_id]!.decision_hash, adjudicationHash(a));
  return a;
}
