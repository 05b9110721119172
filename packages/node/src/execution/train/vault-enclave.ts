/**
 * The Train side of a Vault's enclave. For each request it reads the Vault's consented,
 * authorized records through the materializer (resolved attributes only, at a pinned snapshot),
 * and answers only with sealed boxes to an attested aggregation session, its signature over the
 * hash of the global model it received, and commitments: never plaintext, never an update in the
 * clear. Training examples are kept in enclave memory between rounds of a task.
 */
import {
  digestBytes,
  hexToBytes,
  type InputCommitment,
  modelHash,
  type ProtocolState,
  receivedModelDigest,
  sha256Hex,
} from '@symphony/protocol';
import type { ConsentOracle } from '../../data/consent-gate.ts';
import { InvalidDerivation, materializeRecords } from '../../data/materialize-records.ts';
import type { VaultRecords } from '../../data/vault-records.ts';
import { PortError } from '../../ports/errors.ts';
import type { TeeProvider } from '../../ports/tee-provider.ts';
import type { AttestationVerifier } from '../../verification/attestation-verifier.ts';
import { replaySeed } from '../transcript.ts';
import {
  aggregatorKeyDigest,
  aggregatorNodeOf,
  boxContext,
  commitmentSaltDigest,
  enclavesOf,
  updateCommitment,
} from './enclave-keys.ts';
import { evaluateLocally, subjectKey } from './evaluation.ts';
import { examplesOf, type VaultExamples } from './examples.ts';
import { localRound } from './federated-core.ts';
import { decodeFloats, encodeFloats, fromBase64, toBase64 } from './model-codec.ts';
import { parameterCount } from './models.ts';
import { seal } from './sealed-box.ts';
import { localStats, type Standardization, standardize } from './standardization.ts';
import { planOf, type TrainPlan, TrainSpecInvalid } from './train-plan.ts';
import type { EvaluateReply, StatsReply, TrainReply, TrainVaultRequest, VaultTaskContext } from './train-rpc.ts';

export type VaultEnclaveOptions = {
  nodeId: string;
  records: VaultRecords;
  consent: ConsentOracle;
  tee: TeeProvider;
  hosts: (vault_id: string) => boolean;
  /** This node's folded copy of the log (registered enclaves, Vault hosts). */
  state: () => ProtocolState;
  attestation: AttestationVerifier;
};

type Loaded = { data: VaultExamples; input: InputCommitment; plan: TrainPlan; contributors: [string, number][] };

/** Examples kept between rounds, per (task, attempt, Vault, snapshot); the oldest go first. */
const MAX_CACHED = 32;

export class VaultTrainEnclave {
  readonly #o: VaultEnclaveOptions;
  readonly #cache = new Map<string, Promise<Loaded>>();

  constructor(opts: VaultEnclaveOptions) {
    this.#o = opts;
  }

  async handle(req: TrainVaultRequest): Promise<StatsReply | TrainReply | EvaluateReply> {
    if (!this.#o.hosts(req.vault_id))
      throw new PortError('unknown_vault', `vault ${req.vault_id} is not hosted by ${this.#o.nodeId}`);
    if (req.envelope.spec.kind !== 'train') throw new PortError('not_a_train_task', 'the task is not a Train task');
    if (!req.envelope.targets.vault_ids.includes(req.vault_id))
      throw new PortError('vault_outside_targets', `${req.vault_id} is not a target of the task`);
    this.#checkAggregator(req);
    const loaded = await this.#load(req);
    if (req.op === 'stats') return this.#stats(req, loaded);
    const s = this.#standardization(req.standardization, loaded.plan);
    const model = this.#model(req.model, loaded.plan);
    if (req.op === 'train') return this.#train(req, loaded, model.bytes, model.values, s);
    const counts = evaluateLocally(
      loaded.plan.shape,
      model.values,
      standardize(loaded.data.holdout, s),
      loaded.plan.seed,
    );
    return {
      vault_id: req.vault_id,
      sealed: seal(
        req.aggregator.public_key,
        boxContext.evaluation(req.envelope_hash, req.attempt, req.round, req.vault_id),
        new TextEncoder().encode(JSON.stringify(counts)),
      ),
    };
  }

  /** The aggregation session must be attested by an enclave the task's aggregator node registered. */
  #checkAggregator(req: VaultTaskContext): void {
    const state = this.#o.state();
    const expected = aggregatorNodeOf(state, req.envelope);
    if (req.aggregator.node_id !== expected)
      throw new PortError('wrong_aggregator', `the task aggregates on ${expected}, not ${req.aggregator.node_id}`);
    const outcome = this.#o.attestation.verify(req.aggregator.evidence, {
      report_data: aggregatorKeyDigest({
        task_id: req.envelope.task_id,
        attempt: req.attempt,
        session_id: req.aggregator.session_id,
        public_key: req.aggregator.public_key,
      }),
      enclaves: enclavesOf(state, req.aggregator.node_id),
    });
    if (outcome.kind !== 'accepted')
      throw new PortError('aggregator_not_attested', `aggregation key refused: ${outcome.reason}`);
  }

  #load(req: VaultTaskContext): Promise<Loaded> {
    const key = `${req.envelope_hash}/${req.attempt}/${req.vault_id}/${req.as_of_seq ?? 'head'}`;
    let hit = this.#cache.get(key);
    if (!hit) {
      hit = this.#materialize(req);
      hit.catch(() => this.#cache.delete(key));
      this.#cache.set(key, hit);
      while (this.#cache.size > MAX_CACHED) this.#cache.delete(this.#cache.keys().next().value!);
    }
    return hit;
  }

  async #materialize(req: VaultTaskContext): Promise<Loaded> {
    const { envelope } = req;
    if (envelope.spec.kind !== 'train') throw new PortError('not_a_train_task', 'the task is not a Train task');
    if (envelope.consent_scope !== 'model_training')
      throw new PortError('consent_scope_not_training', 'a Train task reads records under the model_training scope');
    let plan: TrainPlan;
    try {
      plan = planOf(envelope.spec, replaySeed(req.envelope_hash));
    } catch (error) {
      if (error instanceof TrainSpecInvalid) throw new PortError(error.code, error.message);
      throw error;
    }
    const binding = req.resolution.bindings.find((b) => b.vault_id === req.vault_id);
    if (!binding) throw new PortError('vault_not_resolved', `${req.vault_id} has no binding`);
    const as_of_seq = req.as_of_seq ?? (await this.#o.records.head(req.vault_id));
    const gate = await this.#o.consent.gateFor(envelope);
    let m: Awaited<ReturnType<typeof materializeRecords>>;
    try {
      m = await materializeRecords(this.#o.records, {
        vault_id: req.vault_id,
        as_of_seq,
        as_of_ms: envelope.admitted_at_ms,
        attributes: binding.attributes,
        admissible: (subject) => gate.admits(req.vault_id, subject),
      });
    } catch (error) {
      if (error instanceof InvalidDerivation) throw new PortError(error.code, error.message);
      throw error;
    }
    const data = examplesOf(m.rows, envelope.spec, plan.seed, envelope.admitted_at_ms);
    const units = new Map<string, number>();
    for (const s of data.train.subjects) units.set(s, (units.get(s) ?? 0) + 1);
    return {
      data,
      plan,
      input: { vault_id: req.vault_id, as_of_seq, record_count: m.record_count, records_root: m.records_root },
      contributors: [...units].sort(([a], [b]) => (a < b ? -1 : 1)),
    };
  }

  #stats(req: VaultTaskContext, loaded: Loaded): StatsReply {
    const stats = localStats(loaded.data.train, loaded.plan.shape.inputs);
    const payload = {
      ...stats,
      subject_keys: [...new Set(loaded.data.train.subjects.map((s) => subjectKey(loaded.plan.seed, s)))].sort(),
      contributors: loaded.contributors,
    };
    return {
      vault_id: req.vault_id,
      input: loaded.input,
      sealed: seal(
        req.aggregator.public_key,
        boxContext.stats(req.envelope_hash, req.attempt, req.vault_id),
        new TextEncoder().encode(JSON.stringify(payload)),
      ),
    };
  }

  async #train(
    req: Extract<TrainVaultRequest, { op: 'train' }>,
    loaded: Loaded,
    bytes: Uint8Array,
    global: Float64Array,
    s: Standardization,
  ): Promise<TrainReply> {
    const task_id = req.envelope.task_id;
    const received_hash = modelHash(bytes);
    const signature = await this.#o.tee.sign(
      digestBytes(
        receivedModelDigest({
          task_id,
          round_task_id: req.round_task_id,
          vault_id: req.vault_id,
          model_hash: received_hash,
        }),
      ),
    );
    if (loaded.data.train.x.length === 0) throw new PortError('no_training_examples', `${req.vault_id} has none`);
    const { update, weight } = localRound(loaded.plan, req.vault_id, req.round, global, loaded.data, s);
    const updateBytes = encodeFloats(update);
    const saltSignature = await this.#o.tee.sign(
      digestBytes(commitmentSaltDigest({ task_id, round_task_id: req.round_task_id, vault_id: req.vault_id })),
    );
    const salt = sha256Hex(hexToBytes(saltSignature));
    const commitment = updateCommitment({
      round_task_id: req.round_task_id,
      vault_id: req.vault_id,
      update_hash: modelHash(updateBytes),
      weight,
      salt,
    });
    const payload = JSON.stringify({ update: toBase64(updateBytes), weight, salt });
    updateBytes.fill(0);
    update.fill(0);
    return {
      received: { vault_id: req.vault_id, model_hash: received_hash, signature },
      commitment,
      sealed: seal(
        req.aggregator.public_key,
        boxContext.update(req.envelope_hash, req.attempt, req.round_task_id, req.vault_id),
        new TextEncoder().encode(payload),
      ),
    };
  }

  #model(text: string, plan: TrainPlan): { bytes: Uint8Array; values: Float64Array } {
    const bytes = fromBase64(text);
    if (bytes.length !== parameterCount(plan.shape) * 8)
      throw new PortError('model_shape_mismatch', 'the model does not have the shape the task declares');
    return { bytes, values: decodeFloats(bytes) };
  }

  #standardization(text: string, plan: TrainPlan): Standardization {
    const values = decodeFloats(fromBase64(text));
    const d = plan.shape.inputs;
    if (values.length !== 2 * d) throw new PortError('standardization_shape_mismatch', 'mean and std per feature');
    return { mean: values.slice(0, d), std: values.slice(d) };
  }
}
