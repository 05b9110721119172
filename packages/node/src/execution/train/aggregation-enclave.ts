/**
 * The aggregation enclave of Train. One session per (task, attempt) run, with an X25519 key pair
 * held only in this object's memory (attested to the Vaults). It opens the Vaults' sealed
 * statistics and releases only the pooled standardization (k_min distinct subjects), distributes
 * the global model, checks every Vault's signature over the model it received, opens the sealed
 * updates, verifies each against its commitment, computes the (clipped, noised) weighted FedAvg
 * and forgets the updates: they exist only in local variables of `#aggregate`, are zeroed after
 * use, and only their commitments and weights are kept. At the end it builds the model artifact
 * and the training transcript, seals the transcript and signs the receipt.
 */

import type { KeyObject } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import {
  type Contribution,
  domainHash,
  type ExecutionReceipt,
  hexToBytes,
  type InputCommitment,
  modelHash,
  type ProtocolState,
  receivedModelDigest,
  type SignedTranscript,
  type TrainingRound,
  trainingTranscriptHash,
  verifyEd25519,
} from '@symphony/protocol';
import { PortError } from '../../ports/errors.ts';
import type { ExecuteReply, ExecuteRequest } from '../../wire/enterprise-rpc.ts';
import { type ExecutionContext, failureReceipt, signReceipt } from '../execute-task.ts';
import { loadNoiseSeeder, type NoiseSeedOf } from '../noise-seed.ts';
import { loadPseudonymizer, type PseudonymOf } from '../query/subject-pseudonyms.ts';
import { buildTranscript, replayContextOf, replaySeed, sealTranscript } from '../transcript.ts';
import { concatBytes } from './bytes.ts';
import { declaredTrainingSpend, epsilonMicro, trainingPrivacyCharge, trainingPrivacySpend } from './dp-accountant.ts';
import { aggregatorKeyDigest, boxContext, enclavesOf, updateCommitment } from './enclave-keys.ts';
import { type LocalEvaluation, type ReleasedEvaluation, releaseEvaluation } from './evaluation.ts';
import { aggregate } from './fedavg.ts';
import { initialModel } from './federated-core.ts';
import { decodeFloats, encodeFloats, fromBase64, hashOfParameters, toBase64 } from './model-codec.ts';
import { newSessionKeys, open } from './sealed-box.ts';
import {
  type LocalStats,
  pooledStandardization,
  type Standardization,
  standardizationHash,
} from './standardization.ts';
import { aggregationOf, planOf, type TrainPlan, TrainSpecInvalid } from './train-plan.ts';
import type {
  AggregateReply,
  AggregatorKey,
  DistributeReply,
  StandardizeReply,
  TrainAggregateRequest,
  TrainReply,
} from './train-rpc.ts';

/** The code measurement of the Train executor (models, aggregation, artifact format, noise seed). */
export const TRAIN_CODE_HASH = domainHash('scp/v1/train-executor', { runtime: 'scs-train', version: 2 });

/** One completed round as the transcript records it (the verifier rebuilds the same from the log). */
export type RoundSummary = TrainingRound;

type Session = {
  id: string;
  request: { envelope: ExecuteRequest['envelope']; envelope_hash: string; attempt: number; k_min: number };
  plan: TrainPlan;
  /** The secret DP noise seed of this (task, attempt): only enclaves derive it. */
  noiseSeed: string;
  privateKey: KeyObject;
  key: AggregatorKey;
  standardization?: Standardization;
  model?: Float64Array;
  model_hash?: string;
  inputs: InputCommitment[];
  contributors: Map<string, number>;
  records_scanned: number;
  rounds: RoundSummary[];
};

export type AggregationEnclaveOptions = {
  ctx: ExecutionContext;
  state: () => ProtocolState;
  /** Keeps the sealed transcript and receipt as evidence (for re-execution and challenges). */
  keepEvidence: (transcript_hash: string, sealed: SignedTranscript, receipt: ExecutionReceipt) => Promise<void>;
};

const MAX_SESSIONS = 16;
const decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as unknown;

export class AggregationEnclave {
  readonly #o: AggregationEnclaveOptions;
  readonly #sessions = new Map<string, Session>();
  #pseudonymOf?: Promise<PseudonymOf>;
  #noiseSeedOf?: Promise<NoiseSeedOf>;

  constructor(opts: AggregationEnclaveOptions) {
    this.#o = opts;
  }

  async handle(req: TrainAggregateRequest): Promise<unknown> {
    switch (req.op) {
      case 'open':
        return this.#open(req);
      case 'standardize': {
        const s = this.#session(req.session_id);
        const reply = this.#standardize(s, req.parts);
        return { ...reply, ...(await this.#charge(s)) };
      }
      case 'distribute':
        return this.#distribute(this.#session(req.session_id), req.round, req.vault_ids);
      case 'aggregate':
        return this.#aggregate(this.#session(req.session_id), req.round, req.round_task_id, req.parts);
      case 'evaluate':
        return this.#evaluate(this.#session(req.session_id), req.round, req.parts);
      case 'finish':
        return this.#finish(this.#session(req.session_id), req.request, req.rounds, req.store ?? true);
      case 'fail':
        return this.#fail(req.request, req.failure_code);
      case 'close':
        this.#sessions.delete(req.session_id);
        return { closed: true };
    }
  }

  /**
   * The model this enclave sends one Vault for a round. An honest enclave sends every Vault the
   * session's global model; a test subclass overrides this to show that a different model aborts the round.
   */
  protected modelFor(
    session: { model: Float64Array; envelope: ExecuteRequest['envelope'] },
    _vault_id: string,
    _round: number,
  ): Float64Array {
    return session.model;
  }

  /**
   * The model hash the sealed transcript names for a finished task. An honest enclave names the
   * last round's aggregate; a test subclass overrides this to show that the verifier's transcript
   * check rejects a sealed model other than the one the log's rounds produced.
   */
  protected sealedModelHash(_envelope: ExecuteRequest['envelope'], model_hash: string): string {
    return model_hash;
  }

  #session(id: string): Session {
    const s = this.#sessions.get(id);
    if (!s) throw new PortError('unknown_session', `no aggregation session ${id} on ${this.#o.ctx.nodeId}`);
    return s;
  }

  async #open(req: Extract<TrainAggregateRequest, { op: 'open' }>): Promise<AggregatorKey> {
    if (req.envelope.spec.kind !== 'train') throw new PortError('not_a_train_task', 'the task is not a Train task');
    let plan: TrainPlan;
    try {
      plan = planOf(req.envelope.spec, replaySeed(req.envelope_hash));
    } catch (error) {
      if (error instanceof TrainSpecInvalid) throw new PortError(error.code, error.message);
      throw error;
    }
    this.#noiseSeedOf ??= loadNoiseSeeder(this.#o.ctx.keyring);
    const noiseSeed = (await this.#noiseSeedOf)('train-dp', replaySeed(req.envelope_hash), req.attempt);
    const keys = newSessionKeys();
    const id = randomUUID().replaceAll('-', '');
    const evidence = await this.#o.ctx.tee.attest(
      aggregatorKeyDigest({
        task_id: req.envelope.task_id,
        attempt: req.attempt,
        session_id: id,
        public_key: keys.publicKeyHex,
      }),
    );
    const key: AggregatorKey = { node_id: this.#o.ctx.nodeId, session_id: id, public_key: keys.publicKeyHex, evidence };
    this.#sessions.set(id, {
      id,
      request: { envelope: req.envelope, envelope_hash: req.envelope_hash, attempt: req.attempt, k_min: req.k_min },
      plan,
      noiseSeed,
      privateKey: keys.privateKey,
      key,
      inputs: [],
      contributors: new Map(),
      records_scanned: 0,
      rounds: [],
    });
    while (this.#sessions.size > MAX_SESSIONS) this.#sessions.delete(this.#sessions.keys().next().value!);
    return key;
  }

  #standardize(s: Session, parts: Extract<TrainAggregateRequest, { op: 'standardize' }>['parts']): StandardizeReply {
    const { envelope_hash, attempt, envelope } = s.request;
    const ordered = [...parts].sort((a, b) => (a.vault_id < b.vault_id ? -1 : 1));
    const stats: LocalStats[] = [];
    const subjects = new Set<string>();
    s.inputs = [];
    s.contributors = new Map();
    s.records_scanned = 0;
    for (const p of ordered) {
      if (!envelope.targets.vault_ids.includes(p.vault_id) || p.input.vault_id !== p.vault_id)
        throw new PortError('vault_outside_targets', `${p.vault_id} is not a target of the task`);
      const body = decode(
        open(s.privateKey, boxContext.stats(envelope_hash, attempt, p.vault_id), p.sealed),
      ) as LocalStats & {
        subject_keys: string[];
        contributors: [string, number][];
      };
      stats.push({ n: body.n, sum: body.sum, sumsq: body.sumsq });
      for (const k of body.subject_keys) subjects.add(k);
      for (const [subject, units] of body.contributors)
        s.contributors.set(subject, (s.contributors.get(subject) ?? 0) + units);
      s.inputs.push({ ...p.input });
      s.records_scanned += p.input.record_count;
    }
    if (subjects.size < s.request.k_min)
      throw new PortError(
        'standardization_suppressed',
        `training data rests on fewer than k_min = ${s.request.k_min} subjects`,
      );
    const standardization = pooledStandardization(stats, s.plan.shape.inputs);
    if (!standardization) throw new PortError('no_training_examples', 'no Vault has a training example');
    s.standardization = standardization;
    s.model = initialModel(s.plan);
    s.model_hash = hashOfParameters(s.model);
    return {
      standardization: toBase64(concatBytes(encodeFloats(standardization.mean), encodeFloats(standardization.std))),
      standardization_hash: standardizationHash(standardization),
      model: toBase64(encodeFloats(s.model)),
      model_hash: s.model_hash,
    };
  }

  /**
   * For a DP task: what the coordinator charges before the first round, namely the declared spend
   * of all rounds for the keyed pseudonym (Query's key) of every subject whose records train.
   */
  async #charge(s: Session): Promise<Pick<StandardizeReply, 'charge'>> {
    const spec = s.request.envelope.spec;
    if (spec.kind !== 'train' || !spec.dp) return {};
    this.#pseudonymOf ??= loadPseudonymizer(this.#o.ctx.keyring);
    const pseudonymOf = await this.#pseudonymOf;
    return { charge: trainingPrivacyCharge(spec, [...s.contributors.keys()].map(pseudonymOf)) };
  }

  #distribute(s: Session, round: number, vault_ids: string[]): DistributeReply {
    if (!s.model) throw new PortError('not_standardized', 'standardize before the first round');
    if (round !== s.rounds.length + 1)
      throw new PortError('round_out_of_order', `the next round is ${s.rounds.length + 1}`);
    return {
      models: vault_ids.map((vault_id) => ({
        vault_id,
        model: toBase64(
          encodeFloats(this.modelFor({ model: s.model!, envelope: s.request.envelope }, vault_id, round)),
        ),
      })),
    };
  }

  #aggregate(s: Session, round: number, round_task_id: string, parts: TrainReply[]): AggregateReply {
    if (!s.model || !s.model_hash) throw new PortError('not_standardized', 'standardize before the first round');
    if (round !== s.rounds.length + 1)
      throw new PortError('round_out_of_order', `the next round is ${s.rounds.length + 1}`);
    const { envelope_hash, attempt, envelope } = s.request;
    const state = this.#o.state();
    const ordered = [...parts].sort((a, b) => (a.received.vault_id < b.received.vault_id ? -1 : 1));
    // Every contributor must have trained from the model of this round, and said so in its enclave's signature.
    for (const p of ordered) {
      const v = p.received.vault_id;
      if (p.received.model_hash !== s.model_hash)
        throw new PortError('model_mismatch', `${v} received a model other than the round's global model`);
      const node = state.vaults[v]?.node_id;
      const digest = hexToBytes(
        receivedModelDigest({
          task_id: envelope.task_id,
          round_task_id,
          vault_id: v,
          model_hash: p.received.model_hash,
        }),
      );
      if (
        !node ||
        !enclavesOf(state, node).some((e) => verifyEd25519(e.enclave_public_key, digest, p.received.signature))
      )
        throw new PortError('bad_signature', `the received-model signature of ${v} does not verify`);
    }
    const contributions = ordered.map((p) => {
      const v = p.received.vault_id;
      const body = decode(
        open(s.privateKey, boxContext.update(envelope_hash, attempt, round_task_id, v), p.sealed),
      ) as {
        update: string;
        weight: number;
        salt: string;
      };
      const bytes = fromBase64(body.update);
      const expected = updateCommitment({
        round_task_id,
        vault_id: v,
        update_hash: modelHash(bytes),
        weight: body.weight,
        salt: body.salt,
      });
      if (expected !== p.commitment)
        throw new PortError('commitment_mismatch', `the update of ${v} does not match its commitment`);
      const update = decodeFloats(bytes);
      bytes.fill(0);
      if (update.length !== s.model!.length)
        throw new PortError('model_shape_mismatch', `the update of ${v} has another shape`);
      return { vault_id: v, update, weight: body.weight, commitment: p.commitment };
    });
    const next = aggregate(s.model, contributions, aggregationOf(s.plan, round, s.noiseSeed));
    for (const c of contributions) c.update.fill(0);
    const summary: RoundSummary = {
      round,
      round_task_id,
      start_model_hash: s.model_hash,
      model_hash: hashOfParameters(next),
      participants: [],
      dropped: [],
      updates: contributions.map((c) => ({ vault_id: c.vault_id, commitment: c.commitment, weight: c.weight })),
    };
    s.rounds.push(summary);
    s.model = next;
    s.model_hash = summary.model_hash;
    return { model: toBase64(encodeFloats(next)), model_hash: summary.model_hash, updates: summary.updates };
  }

  #evaluate(
    s: Session,
    round: number,
    parts: Extract<TrainAggregateRequest, { op: 'evaluate' }>['parts'],
  ): ReleasedEvaluation {
    const summary = s.rounds[round - 1];
    if (!summary || round !== s.rounds.length)
      throw new PortError('round_out_of_order', `round ${round} is not the last one`);
    const { envelope_hash, attempt } = s.request;
    const counts = [...parts]
      .sort((a, b) => (a.vault_id < b.vault_id ? -1 : 1))
      .map(
        (p) =>
          decode(
            open(s.privateKey, boxContext.evaluation(envelope_hash, attempt, round, p.vault_id), p.sealed),
          ) as LocalEvaluation,
      );
    summary.evaluation = releaseEvaluation(counts, s.request.k_min);
    return summary.evaluation;
  }

  /** The model artifact, the training transcript, the sealed execution transcript and the signed receipt. */
  async #finish(
    s: Session,
    req: ExecuteRequest,
    rounds: { participants: string[]; dropped: string[] }[],
    store: boolean,
  ): Promise<ExecuteReply> {
    if (!s.model || !s.model_hash || !s.standardization) throw new PortError('not_standardized', 'nothing was trained');
    if (s.rounds.length !== s.plan.rounds)
      throw new PortError('rounds_missing', `${s.rounds.length} of ${s.plan.rounds} rounds ran`);
    const spec = s.request.envelope.spec;
    if (spec.kind !== 'train') throw new PortError('not_a_train_task', 'the task is not a Train task');
    for (const [i, r] of rounds.entries()) {
      const mine = s.rounds[i];
      if (mine) {
        mine.participants = [...r.participants].sort();
        mine.dropped = [...r.dropped].sort();
      }
    }
    const contributing = [...s.contributors.keys()].sort();
    const last = s.rounds.at(-1)!;
    const output = {
      model: {
        kind: spec.model,
        features: [...spec.features],
        label: spec.label,
        ...(spec.positive_class !== undefined ? { positive_class: spec.positive_class } : {}),
        inputs: s.plan.shape.inputs,
        hidden: s.plan.shape.hidden,
        encoding: 'float64-le',
        parameters: toBase64(encodeFloats(s.model)),
        model_hash: s.model_hash,
      },
      standardization: {
        encoding: 'float64-le',
        mean: toBase64(encodeFloats(s.standardization.mean)),
        std: toBase64(encodeFloats(s.standardization.std)),
        standardization_hash: standardizationHash(s.standardization),
      },
      training: {
        aggregator_node: this.#o.ctx.nodeId,
        rounds: s.rounds.map((r) => ({ ...r, updates: r.updates.map((u) => ({ ...u })) })),
      },
      ...(last.evaluation ? { evaluation: last.evaluation } : {}),
      ...(spec.dp && s.plan.dp
        ? {
            privacy: (({ subjects: _s, ...rest }) => ({
              ...rest,
              subjects_charged: contributing.length,
              // What the ledger was charged before round 1: the declared spend (all rounds ran).
              epsilon_charged_micro: epsilonMicro(declaredTrainingSpend(spec)!.epsilon),
            }))(trainingPrivacySpend(spec.dp, s.rounds.length, contributing)),
          }
        : {}),
    };
    const replay_context = replayContextOf(s.request.envelope, s.request.envelope_hash);
    const built = buildTranscript({
      task_id: s.request.envelope.task_id,
      attempt: s.request.attempt,
      task_class: 'train',
      code_hash: TRAIN_CODE_HASH,
      replay_context,
      inputs: s.inputs,
      output,
      resource_use: { records_scanned: s.records_scanned, fuel: 0, memory_bytes: 0 },
      details: {
        k_min: s.request.k_min,
        rounds: s.rounds.length,
        model_hash: this.sealedModelHash(s.request.envelope, s.model_hash),
        standardization_hash: standardizationHash(s.standardization),
        training_transcript_hash: trainingTranscriptHash(output.training),
        consent_scope: s.request.envelope.consent_scope,
      },
    });
    const sealed = await sealTranscript(this.#o.ctx.tee, built.transcript);
    const state = this.#o.state();
    const contributions: Contribution[] = [...s.contributors]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([account, units]) => ({ account, role: 'data_producer', units }));
    const operators = new Map<string, number>();
    for (const i of s.inputs) {
      const op = state.vaults[i.vault_id]?.operator;
      if (op && i.record_count > 0) operators.set(op, (operators.get(op) ?? 0) + i.record_count);
    }
    for (const [account, units] of [...operators].sort(([a], [b]) => (a < b ? -1 : 1)))
      contributions.push({ account, role: 'vault_operator', units });
    const receipt = await signReceipt(this.#o.ctx, req, {
      replay_context: built.transcript.replay_context,
      input_commitments: built.transcript.inputs.map((i) => i.records_root),
      code_hash: TRAIN_CODE_HASH,
      status: 'succeeded',
      output_hash: built.output_hash,
      transcript_hash: sealed.transcript_hash,
      usage: { records_scanned: s.records_scanned, fuel: 0, rounds: s.rounds.length },
      contributions,
      attestation: {
        provider: sealed.signed.evidence.provider,
        measurement: sealed.signed.evidence.measurement,
        evidence_hash: sealed.evidence_hash,
      },
    });
    if (store) await this.#o.keepEvidence(sealed.transcript_hash, sealed.signed, receipt);
    this.#sessions.delete(s.id);
    return { receipt, output, transcript: sealed.signed };
  }

  async #fail(req: ExecuteRequest, failure_code: string): Promise<ExecuteReply> {
    const receipt = await failureReceipt(this.#o.ctx, req, failure_code);
    return { receipt, output: { failure_code }, transcript: undefined as never };
  }
}
