/**
 * Challenge ingress behind `POST /v1/challenges` and the challenge views. Opening a challenge
 * checks that the evidence fits its target and can be judged, stores the evidence (linked to the
 * challenge), and appends `challenge_opened` with the evidence hash and the bond; the protocol
 * refuses unknown targets, closed windows, unstaked challengers and unfunded bonds, and then
 * nothing stays behind (the evidence row is removed).
 */
import type {
  ChallengeDetail,
  ChallengeList,
  ChallengeListQuery,
  ChallengeReplayBundle,
  ChallengeView,
  OpenChallengeRequest,
  ReopenChallengeRequest,
} from '@symphony/api';
import {
  adjudicateEvidence,
  type Challenge,
  type ChallengeRecord,
  challengeEvidenceHash,
  domainHash,
  evidenceFitsTarget,
  evidencePosition,
  fold,
} from '@symphony/protocol';
import type { Caller } from '../application/caller.ts';
import type { ChallengeApi } from '../application/challenge-api.ts';
import { ApiFailure } from '../application/master-api.ts';
import type { LogWriter } from '../coordination/log-writer.ts';
import type { StateFollower } from '../coordination/state-follower.ts';
import type { ProtocolLog } from '../ports/protocol-log.ts';
import { readLog } from './challenge-adjudicator.ts';
import type { ChallengeEvidenceStore } from './challenge-evidence-store.ts';
import { CLASS_EVIDENCE, type ClassVerifiers } from './class-verifiers.ts';

export type ChallengeServiceOptions = {
  follower: StateFollower;
  writer: LogWriter;
  log: ProtocolLog;
  evidence: ChallengeEvidenceStore;
  classVerifiers?: ClassVerifiers;
};

export class ChallengeService implements ChallengeApi {
  readonly #o: ChallengeServiceOptions;

  constructor(opts: ChallengeServiceOptions) {
    this.#o = opts;
  }

  /**
   * Class-specific evidence needs its class's checker, and a target task of that class (e.g.
   * `group_under_k_min` only against a Query); otherwise nothing could judge it.
   */
  #mustBeCheckable(target: Challenge['target'], evidence: OpenChallengeRequest['evidence']): void {
    const cls = CLASS_EVIDENCE[evidence.kind];
    if (!cls) return;
    const taskClass = target.kind === 'task' ? this.#o.follower.state.tasks[target.task_id]?.class : undefined;
    if (!this.#o.classVerifiers?.[cls]?.checkEvidence || (taskClass !== undefined && taskClass !== cls))
      throw new ApiFailure('invalid_evidence', `No checker can judge ${evidence.kind} evidence against this task.`, {
        field: '/evidence/kind',
        reason: 'evidence_not_checkable',
      });
  }

  async open(request: OpenChallengeRequest, caller?: Caller): Promise<ChallengeDetail> {
    const challenger = request.challenger ?? caller?.actor_id;
    if (!challenger) throw new ApiFailure('invalid_request', 'Name the challenger.', { field: '/challenger' });
    if (caller && challenger !== caller.actor_id)
      throw new ApiFailure('forbidden', `${caller.actor_id} may only challenge as itself.`, {
        reason: 'acts_for_another',
      });
    const misfit = evidenceFitsTarget(request.target, request.evidence);
    if (misfit)
      throw new ApiFailure('invalid_evidence', misfit.message, { field: `/${misfit.field.replaceAll('.', '/')}` });
    this.#mustBeCheckable(request.target, request.evidence);
    const evidence_hash = challengeEvidenceHash(request.evidence);
    const challenge_id = `chl_${domainHash('scp/v1/challenge-id', { challenger, target: request.target, evidence_hash }).slice(0, 32)}`;
    const challenge: Challenge = {
      schema_version: 1,
      challenge_id,
      target: request.target,
      challenger,
      grounds: request.grounds ?? request.evidence.kind,
      bond: request.bond,
      evidence_hash,
    };
    const stored = await this.#o.evidence.put(evidence_hash, challenge_id, request.evidence);
    const result = await this.#o.writer.append({ type: 'challenge_opened', challenge });
    if (result.kind !== 'applied') {
      if (stored) await this.#o.evidence.remove(evidence_hash);
      throw new ApiFailure('challenge_refused', result.refusal.message, { reason: result.refusal.code });
    }
    return (await this.get(challenge_id))!;
  }

  list(query: ChallengeListQuery): ChallengeList {
    const state = this.#o.follower.state;
    const challenges = Object.values(state.challenges)
      .filter((c) => !query.state || c.state === query.state)
      .filter(
        (c) => !query.task_id || (c.challenge.target.kind === 'task' && c.challenge.target.task_id === query.task_id),
      )
      .filter((c) => query.epoch_id === undefined || c.epoch_id === query.epoch_id)
      .sort((a, b) => a.history[0]!.seq - b.history[0]!.seq)
      .map((c) => this.#view(c));
    return { challenges };
  }

  async get(challengeId: string): Promise<ChallengeDetail | undefined> {
    const c = this.#o.follower.state.challenges[challengeId];
    if (!c) return undefined;
    const evidence = [];
    let findings: ChallengeDetail['findings'];
    for (const hash of c.evidence_hashes) {
      const stored = await this.#o.evidence.get(hash);
      if (!stored) continue;
      evidence.push({ evidence_hash: hash, evidence: stored.evidence });
      findings = stored.findings;
    }
    const detail: ChallengeDetail = { challenge: this.#view(c), evidence };
    const current = evidence[evidence.length - 1];
    if (c.decision_hash && current && current.evidence_hash === c.evidence_hashes[c.evidence_hashes.length - 1]) {
      const entries = await readLog(this.#o.log);
      const position = evidencePosition(entries, challengeId);
      if (position) {
        const before = fold(entries.slice(0, position.index)).state;
        detail.adjudication = adjudicateEvidence(before, c.challenge, current.evidence, findings ?? {});
      }
    }
    if (findings) detail.findings = findings;
    return detail;
  }

  async replayBundle(challengeId: string): Promise<ChallengeReplayBundle | undefined> {
    const c = this.#o.follower.state.challenges[challengeId];
    if (!c?.decision_hash) return undefined;
    const stored = await this.#o.evidence.get(c.evidence_hashes[c.evidence_hashes.length - 1]!);
    if (!stored) return undefined;
    const entries = await readLog(this.#o.log);
    return { challenge_id: challengeId, evidence: stored.evidence, findings: stored.findings ?? {}, entries };
  }

  async reopen(challengeId: string, request: ReopenChallengeRequest, caller?: Caller): Promise<ChallengeDetail> {
    const c = this.#o.follower.state.challenges[challengeId];
    if (!c) throw new ApiFailure('not_found', `No challenge ${challengeId}.`);
    if (caller && caller.actor_id !== c.challenge.challenger)
      throw new ApiFailure('forbidden', `Only ${c.challenge.challenger} may reopen ${challengeId}.`, {
        reason: 'not_the_challenger',
      });
    const misfit = evidenceFitsTarget(c.challenge.target, request.evidence);
    if (misfit)
      throw new ApiFailure('invalid_evidence', misfit.message, { field: `/${misfit.field.replaceAll('.', '/')}` });
    this.#mustBeCheckable(c.challenge.target, request.evidence);
    const evidence_hash = challengeEvidenceHash(request.evidence);
    const stored = await this.#o.evidence.put(evidence_hash, challengeId, request.evidence);
    const result = await this.#o.writer.append({
      type: 'challenge_reopened',
      challenge_id: challengeId,
      evidence_hash,
    });
    if (result.kind !== 'applied') {
      if (stored) await this.#o.evidence.remove(evidence_hash);
      throw new ApiFailure('challenge_refused', result.refusal.message, { reason: result.refusal.code });
    }
    return (await this.get(challengeId))!;
  }

  async approve(challengeId: string, approver: string): Promise<ChallengeView> {
    const result = await this.#o.writer.append({ type: 'challenge_approved', challenge_id: challengeId, approver });
    if (result.kind !== 'applied') {
      if (result.refusal.code === 'unknown_challenge') throw new ApiFailure('not_found', result.refusal.message);
      throw new ApiFailure('challenge_refused', result.refusal.message, { reason: result.refusal.code });
    }
    return this.#view(this.#o.follower.state.challenges[challengeId]!);
  }

  #view(c: ChallengeRecord): ChallengeView {
    const ledger = this.#o.follower.state.stake_ledger ?? [];
    const id = c.challenge.challenge_id;
    return {
      challenge_id: id,
      target: c.challenge.target,
      challenger: c.challenge.challenger,
      grounds: c.challenge.grounds,
      bond: c.challenge.bond,
      state: c.state,
      history: c.history.map((h) => ({ ...h })),
      ...(c.epoch_id !== undefined ? { epoch_id: c.epoch_id } : {}),
      finalized_context: c.opened_in_finalized_context,
      evidence_hashes: [...c.evidence_hashes],
      ...(c.decision_hash ? { decision_hash: c.decision_hash } : {}),
      ...(c.accused ? { accused: c.accused } : {}),
      ...(c.bond_held !== undefined ? { bond_held: c.bond_held } : {}),
      stake_movements: ledger.filter((m) => m.ref === id).map((m) => ({ ...m })),
    };
  }
}
