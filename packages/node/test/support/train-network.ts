/**
 * An embedded network for Train tests: 3 masters and 2 enterprise nodes hosting six penguin
 * Vaults (an IID trio and a label-skewed trio, the smallest of each on the second node), the
 * penguins' training records partitioned over them, and every subject's `model_training` consent.
 */
import type { RecordInput, SubmitTaskRequest } from '@symphony/api';
import type { TrainSpec } from '@symphony/protocol';
import type { MemoryBroker } from '../../src/adapters/memory-bus.ts';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import {
  type EmbeddedNetwork,
  type EmbeddedNetworkOptions,
  openEmbeddedNetwork,
} from '../../src/roles/embedded-network.ts';
import { EMBEDDED_TOPOLOGY, type Topology } from '../../src/roles/network-topology.ts';
import { grantConsents } from './consent.ts';
import { PENGUIN_DOMAIN, PENGUIN_FEATURES, partition, penguinRecords, trainTestSplit } from './penguins.ts';

export const IID_VAULTS = ['vlt_iid-a', 'vlt_iid-b', 'vlt_iid-c'];
export const SKEWED_VAULTS = ['vlt_skew-a', 'vlt_skew-b', 'vlt_skew-c'];
/** Relative Vault sizes: the last (on the second node) is the smallest. */
export const VAULT_SIZES = [5, 3, 1];

export const TRAIN_TOPOLOGY: Topology = {
  ...EMBEDDED_TOPOLOGY,
  network_id: 'symphony-train',
  enterprises: [
    {
      node_id: 'node_north',
      operator: 'act_north',
      vault_ids: ['vlt_iid-a', 'vlt_iid-b', 'vlt_skew-a', 'vlt_skew-b'],
    },
    { node_id: 'node_south', operator: 'act_south', vault_ids: ['vlt_iid-c', 'vlt_skew-c'] },
  ],
  semantic_domains: [PENGUIN_DOMAIN],
};

/** The penguins: a fixed test set, and the training records of each Vault. */
export function penguinPartitions() {
  const { train, test } = trainTestSplit(penguinRecords());
  const byVault = new Map<string, RecordInput[]>([
    ...partition(train, IID_VAULTS, 'iid', VAULT_SIZES),
    ...partition(train, SKEWED_VAULTS, 'label_skewed', VAULT_SIZES),
  ]);
  return { train, test, byVault };
}

/** Opens the network, ingests each Vault's records and grants every subject's consent to model training. */
export async function openTrainNetwork(
  store: PgliteStore,
  opts: Partial<EmbeddedNetworkOptions> & { vaults?: string[]; broker?: MemoryBroker } = {},
): Promise<EmbeddedNetwork> {
  const net = await openEmbeddedNetwork({
    store,
    keyring: new MemoryKeyring(),
    pollIntervalMs: 20,
    topology: TRAIN_TOPOLOGY,
    ...opts,
  });
  const { byVault } = penguinPartitions();
  for (const vault_id of opts.vaults ?? [...IID_VAULTS, ...SKEWED_VAULTS]) {
    const records = byVault.get(vault_id)!;
    await net.coordinator.service.ingest(vault_id, { records });
    await grantConsents(
      net.coordinator.service,
      vault_id,
      records.map((r) => r.subject),
      'model_training',
    );
  }
  return net;
}

/** The Train spec the tests run (logistic regression unless told), seeded so runs are comparable. */
export function penguinTrainSpec(overrides: Partial<TrainSpec> = {}): TrainSpec {
  return {
    kind: 'train',
    model: 'logistic_regression',
    features: [...PENGUIN_FEATURES],
    label: 'sex',
    positive_class: 'MALE',
    filter: [],
    hyperparameters: { rounds: 20, local_epochs: 2, learning_rate: '0.5', batch_size: 16 },
    min_vaults_per_round: 2,
    seed: 'a'.repeat(64),
    evaluation: { holdout_bps: 2000 },
    ...overrides,
  };
}

/** A submission of a Train spec over some Vaults. */
export function trainRequest(vault_ids: string[], spec: TrainSpec): SubmitTaskRequest {
  return {
    class: 'train',
    submitter: 'act_lab',
    consent_scope: 'model_training',
    targets: { vault_ids: [...vault_ids].sort() },
    semantic: {
      domain: 'bio.penguin',
      semantic_version: '1.0.0',
      attributes: [...new Set([...spec.features, spec.label])].sort(),
    },
    budget: { max_fee: '1000000' },
    spec,
  } as SubmitTaskRequest;
}
