/**
 * The Train enclaves of an enterprise node on the bus: the Vault side (for the Vaults it hosts)
 * and the aggregation side (for tasks whose first Vault it hosts), and the re-execution a verifier
 * asks of the aggregator node: the whole training again over the pinned snapshots, compared by hash.
 */
import type { ProtocolState, SignedTranscript } from '@symphony/protocol';
import type { Bus, Subscription } from '../../ports/bus.ts';
import { PortError } from '../../ports/errors.ts';
import type { ReexecuteReply, ReexecuteRequest } from '../../wire/enterprise-rpc.ts';
import type { AggregationEnclave } from './aggregation-enclave.ts';
import { aggregatorNodeOf } from './enclave-keys.ts';
import { driveTraining } from './round-driver.ts';
import { type TrainAggregateRequest, type TrainVaultRequest, trainSubjects } from './train-rpc.ts';
import type { VaultTrainEnclave } from './vault-enclave.ts';

export type TrainServiceOptions = {
  nodeId: string;
  bus: Bus;
  vault: VaultTrainEnclave;
  aggregation: AggregationEnclave;
  state: () => ProtocolState;
};

export class TrainService {
  readonly #o: TrainServiceOptions;

  private constructor(opts: TrainServiceOptions) {
    this.#o = opts;
  }

  /** Serves both subjects; returns the subscriptions (the node closes them). */
  static async serve(opts: TrainServiceOptions): Promise<{ service: TrainService; subscriptions: Subscription[] }> {
    const subjects = trainSubjects(opts.nodeId);
    const service = new TrainService(opts);
    const subscriptions = [
      await opts.bus.serve(subjects.vault, (p) => opts.vault.handle(p as TrainVaultRequest)),
      await opts.bus.serve(subjects.aggregate, (p) => opts.aggregation.handle(p as TrainAggregateRequest)),
    ];
    return { service, subscriptions };
  }

  /** Re-executes a Train task from its sealed transcript's snapshots and reports the hashes. */
  async reexecute(req: ReexecuteRequest, sealed: SignedTranscript): Promise<ReexecuteReply> {
    const state = this.#o.state();
    if (aggregatorNodeOf(state, req.envelope) !== this.#o.nodeId)
      throw new PortError('wrong_aggregator', `${this.#o.nodeId} does not aggregate ${req.envelope.task_id}`);
    const vaultNodes: Record<string, string> = {};
    for (const v of req.envelope.targets.vault_ids) vaultNodes[v] = state.vaults[v]!.node_id;
    const reply = await driveTraining({
      bus: this.#o.bus,
      request: {
        envelope: req.envelope,
        envelope_hash: req.envelope_hash,
        attempt: req.receipt.attempt,
        resolution: req.resolution,
        policy: req.policy,
      },
      aggregatorNode: this.#o.nodeId,
      vaultNodes,
      snapshots: Object.fromEntries(sealed.transcript.inputs.map((i) => [i.vault_id, i.as_of_seq])),
      store: false,
    });
    return { output_hash: reply.receipt.output_hash, transcript_hash: reply.receipt.transcript_hash, sealed };
  }
}
