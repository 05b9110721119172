/**
 * The aggregation transcript of a Train task is the log's round records (each round's starting
 * model hash, every participating Vault enclave's signed hash of the model it received, the
 * aggregation enclave's commitment to each update, who dropped out, the next global model hash)
 * bound to the sealed execution transcript by `details.training_transcript_hash` and
 * `details.model_hash`. `checkTrainAggregation` is the verifier's pure check of it.
 */
import { domainHash, type Hex64, hexToBytes } from '../hashing/domain-hash.ts';
import type { ExecutionReceipt } from '../objects/execution-receipt.ts';
import { type ExecutionTranscript, transcriptHash } from '../objects/execution-transcript.ts';
import type { TaskEnvelope } from '../objects/task-envelope.ts';
import type { ProtocolState, TrainRoundRecord } from '../reducer/state.ts';
import { receivedModelDigest } from '../train/train-hashes.ts';
import { type AggregationVerdict, vaultEnclaveSigned } from './query-aggregation.ts';

/** Domain tag of the training transcript (the rounds as the aggregation enclave recorded them). */
export const TRAIN_TRANSCRIPT_TAG = 'scp/v1/train-transcript';

/** One completed round as the training transcript records it. */
export type TrainingRound = {
  round: number;
  round_task_id: string;
  start_model_hash: string;
  model_hash: string;
  participants: string[];
  dropped: string[];
  updates: { vault_id: string; commitment: string; weight: number }[];
  evaluation?: NonNullable<TrainRoundRecord['evaluation']>;
};

/** The training transcript's hash (`details.training_transcript_hash`). */
export const trainingTranscriptHash = (training: { aggregator_node: string; rounds: TrainingRound[] }): Hex64 =>
  domainHash(TRAIN_TRANSCRIPT_TAG, training);

/** The completed rounds of a task's attempt in the log, in order (a gap stops the list). */
export function loggedRounds(
  state: ProtocolState,
  task_id: string,
  attempt: number,
  rounds: number,
): TrainRoundRecord[] {
  const out: TrainRoundRecord[] = [];
  for (let r = 1; r <= rounds; r++) {
    const rec = state.train_rounds?.[`${task_id}-r${r}`];
    if (!rec || rec.attempt !== attempt || rec.state !== 'completed' || rec.model_hash === undefined) break;
    out.push(rec);
  }
  return out;
}

const sorted = (xs: readonly string[]) => [...xs].sort();
const sameSet = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && sorted(a).every((x, i) => x === sorted(b)[i]);

export type TrainAggregationCheck = {
  state: ProtocolState;
  envelope: TaskEnvelope;
  receipt: ExecutionReceipt;
  transcript: ExecutionTranscript;
  /** For a DP task: the declared spend (micro-epsilon) the log must have charged. */
  expected_epsilon_micro?: number;
};

/**
 * Checks a Train task's rounds and transcript: every round of the attempt completed in the log;
 * every participant accounted for (an update from each Vault that signed its received model, the
 * rest listed as dropped); model-hash consistency across Vaults (each Vault's enclave signed the
 * round's starting model hash, each round starts from the previous round's aggregate, the
 * transcript's model is the last aggregate); the training transcript the enclave sealed is the one
 * the log shows; and for a DP task the declared spend charged before round 1.
 */
export function checkTrainAggregation(c: TrainAggregationCheck): AggregationVerdict {
  const { transcript: tr, receipt, envelope } = c;
  const reject = (reason_code: Extract<AggregationVerdict, { ok: false }>['reason_code']): AggregationVerdict => ({
    ok: false,
    reason_code,
  });
  if (transcriptHash(tr) !== receipt.transcript_hash || tr.output_hash !== receipt.output_hash)
    return reject('transcript_unbound');
  if (envelope.spec.kind !== 'train') return reject('round_missing');
  const wanted = envelope.spec.hyperparameters.rounds;
  const rounds = loggedRounds(c.state, envelope.task_id, receipt.attempt, wanted);
  if (rounds.length !== wanted || tr.details.rounds !== wanted) return reject('round_missing');
  for (const r of rounds) {
    const received = r.received ?? [];
    const updated = (r.updates ?? []).map((u) => u.vault_id);
    const dropped = r.dropped ?? [];
    if (
      !sameSet(
        received.map((x) => x.vault_id),
        updated,
      )
    )
      return reject('update_missing');
    if (!sameSet([...updated, ...dropped], r.participants)) return reject('update_missing');
  }
  for (const [i, r] of rounds.entries()) {
    if (i > 0 && r.start_model_hash !== rounds[i - 1]!.model_hash) return reject('model_hash_mismatch');
    for (const x of r.received ?? []) {
      if (x.model_hash !== r.start_model_hash) return reject('model_hash_mismatch');
      const digest = hexToBytes(
        receivedModelDigest({
          task_id: envelope.task_id,
          round_task_id: `${envelope.task_id}-r${r.round}`,
          vault_id: x.vault_id,
          model_hash: x.model_hash,
        }),
      );
      if (!vaultEnclaveSigned(c.state, x.vault_id, digest, x.signature)) return reject('received_signature_invalid');
    }
  }
  if (tr.details.model_hash !== rounds.at(-1)!.model_hash) return reject('model_hash_mismatch');
  const training = {
    aggregator_node: rounds[0]!.aggregator_node,
    rounds: rounds.map(
      (r): TrainingRound => ({
        round: r.round,
        round_task_id: `${envelope.task_id}-r${r.round}`,
        start_model_hash: r.start_model_hash,
        model_hash: r.model_hash!,
        participants: sorted(r.participants),
        dropped: sorted(r.dropped ?? []),
        updates: (r.updates ?? []).map((u) => ({ vault_id: u.vault_id, commitment: u.commitment, weight: u.weight })),
        ...(r.evaluation ? { evaluation: r.evaluation } : {}),
      }),
    ),
  };
  if (trainingTranscriptHash(training) !== tr.details.training_transcript_hash)
    return reject('training_transcript_mismatch');
  if (envelope.spec.dp) {
    const t = c.state.tasks[envelope.task_id];
    const charge = t?.release;
    if (charge?.attempt !== receipt.attempt || charge.outcome !== 'granted' || charge.charged < 1)
      return reject('budget_not_charged');
    if (c.expected_epsilon_micro !== undefined && charge.epsilon_micro !== c.expected_epsilon_micro)
      return reject('budget_not_charged');
  }
  return { ok: true };
}
