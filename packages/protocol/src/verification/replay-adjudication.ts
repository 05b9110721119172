/**
 * Replaying a challenge's adjudication from the log alone: fold the log up to (not including) the
 * entry that brought the evidence under review (the opening, or the latest reopening), adjudicate
 * the stored evidence with the same findings, and compare the decision hash with the one the log
 * recorded. A fresh process given the log and the evidence reaches the same bytes.
 */
import type { ChallengeAdjudication, ChallengeEvidence } from '../objects/challenge-evidence.ts';
import { fold } from '../reducer/fold.ts';
import type { ProtocolState } from '../reducer/state.ts';
import type { Entry } from '../reducer/step.ts';
import { type AdjudicationFindings, adjudicateEvidence, adjudicationHash } from './adjudicate-evidence.ts';

/** Where a challenge's current evidence entered the log, and the decision that followed it. */
export type EvidencePosition = {
  /** Index in `entries` of the opening or latest reopening. */
  index: number;
  evidence_hash: string;
  /** The `decision_hash` the log recorded after it, if decided. */
  logged_decision_hash?: string;
  /** The accused the log recorded with that decision. */
  logged_accused?: string;
};

/** Finds the entry that brought the challenge's current evidence, or undefined if the challenge is not in the log. */
export function evidencePosition(entries: readonly Entry[], challenge_id: string): EvidencePosition | undefined {
  let found: EvidencePosition | undefined;
  for (const [index, entry] of entries.entries()) {
    const e = entry.event;
    if (e.type === 'challenge_opened' && e.challenge.challenge_id === challenge_id)
      found = { index, evidence_hash: e.challenge.evidence_hash };
    else if (e.type === 'challenge_reopened' && e.challenge_id === challenge_id)
      found = { index, evidence_hash: e.evidence_hash };
    else if (found && e.type === 'challenge_decided' && e.challenge_id === challenge_id) {
      found.logged_decision_hash = e.decision_hash;
      if (e.accused) found.logged_accused = e.accused;
      else delete found.logged_accused;
    }
  }
  return found;
}

/** The state a challenge's current evidence is judged against. */
export function stateBeforeEvidence(entries: readonly Entry[], position: EvidencePosition): ProtocolState {
  return fold(entries.slice(0, position.index)).state;
}

export type ReplayedAdjudication = {
  adjudication: ChallengeAdjudication;
  decision_hash: string;
  logged_decision_hash?: string;
  /** True when the log recorded a decision and the replay reproduced its hash. */
  matches: boolean;
};

/** Replays the adjudication of `challenge_id` from the log, its stored evidence and the findings. */
export function replayAdjudication(
  entries: readonly Entry[],
  challenge_id: string,
  evidence: ChallengeEvidence,
  findings: AdjudicationFindings = {},
): ReplayedAdjudication | undefined {
  const position = evidencePosition(entries, challenge_id);
  if (!position) return undefined;
  const opened = entries[position.index]!.event;
  const state = stateBeforeEvidence(entries, position);
  const challenge =
    opened.type === 'challenge_opened'
      ? opened.challenge
      : fold(entries.slice(0, position.index + 1)).state.challenges[challenge_id]!.challenge;
  const adjudication = adjudicateEvidence(state, challenge, evidence, findings);
  const decision_hash = adjudicationHash(adjudication);
  return {
    adjudication,
    decision_hash,
    ...(position.logged_decision_hash ? { logged_decision_hash: position.logged_decision_hash } : {}),
    matches: position.logged_decision_hash === decision_hash,
  };
}
