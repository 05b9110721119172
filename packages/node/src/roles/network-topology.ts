/**
 * The shape of a network: its masters, enterprise nodes and Vaults, the first parameter set and
 * the starter semantic registry. `genesisEvents` turns it into the first log entries.
 */
import {
  type ActorRole,
  BOOTSTRAP_EMISSION_YEAR_BPS,
  DEFAULT_UNBONDING_PERIOD_MS,
  type EconomicsParameters,
  type EnclaveRegistration,
  type ParameterSet,
  type ProtocolEvent,
  type SemanticDomain,
  type TaskClass,
} from '@symphony/protocol';
import { COMMERCE_RECEIPT_V1 } from '../semantic/starter-registry.ts';

export type Topology = {
  network_id: string;
  treasury_account: string;
  masters: { node_id: string; operator: string }[];
  enterprises: {
    node_id: string;
    operator: string;
    vault_ids: string[];
    /** Per Vault: SHA-256 code hashes of programs its operator approved (the Vault's program policy). */
    approved_programs?: Record<string, string[]>;
  }[];
  parameters: ParameterSet;
  semantic_domains: SemanticDomain[];
  /**
   * Actors registered at bootstrap with their own keys (users, agents, governance). When there are
   * any, the node operators are registered too (executors and verifiers, staked at the policy's
   * minimum), and identity is enforced for every task. `grants: 'all'` has every Vault operator grant
   * the actor every task class on every attribute of the Vault's domain (a development network).
   */
  actors?: TopologyActor[];
};

/** An actor of the topology. */
export type TopologyActor = {
  actor_id: string;
  roles: ActorRole[];
  public_key: string;
  balance?: string;
  grants?: 'all';
};

const ALL_CLASSES: TaskClass[] = ['compute', 'parse', 'query', 'train'];

const price = { base: '1000', per_record: '2', per_fuel_kilo: '1', per_round_vault: '50' };

/**
 * The token economics of a new network: a genesis supply of 10^12 base units, the SCP bootstrap
 * emission schedule (8 %, 5 %, 3 %, 1.5 %, then 0 per year, accrued by log time and split evenly
 * between the data-quality and node-operation pools) and a 7-day unbonding period. With it, the
 * stake checks apply to executor and verifier reward lines (understaked lines are blocked).
 */
export const DEFAULT_ECONOMICS: EconomicsParameters = {
  genesis_supply: '1000000000000',
  emission_year_bps: [...BOOTSTRAP_EMISSION_YEAR_BPS],
  data_quality_pool_bps: 5000,
  unbonding_period_ms: DEFAULT_UNBONDING_PERIOD_MS,
};

/** The parameter set of policy_version 1 on a new network. */
export const DEFAULT_PARAMETERS: ParameterSet = {
  schema_version: 1,
  policy_version: 1,
  effective_from_epoch: 1,
  epoch_length_ms: 3_600_000,
  challenge_window_ms: 0,
  settlement_quorum: 2,
  k_min: 5,
  reward_split_bps: { data_producer: 4000, vault_operator: 2000, executor: 2000, verifier: 1000, treasury: 1000 },
  pricing: { parse: price, query: price, compute: price, train: price },
  min_stake: { executor: '100000', verifier: '100000', master: '1000000' },
  slash_bps: 1000,
  challenge_bond: '500',
  challenge_requires_approval: false,
  economics: DEFAULT_ECONOMICS,
};

/** The embedded network: 3 masters and 2 enterprise nodes hosting 3 Vaults. */
export const EMBEDDED_TOPOLOGY: Topology = {
  network_id: 'symphony-embedded',
  treasury_account: 'act_treasury',
  masters: [1, 2, 3].map((i) => ({ node_id: `node_master-${i}`, operator: `act_master-${i}` })),
  enterprises: [
    { node_id: 'node_lioncity', operator: 'act_lioncity', vault_ids: ['vlt_lioncity-app', 'vlt_lioncity-loyalty'] },
    { node_id: 'node_straits', operator: 'act_straits', vault_ids: ['vlt_straits-wallet'] },
  ],
  parameters: DEFAULT_PARAMETERS,
  semantic_domains: [COMMERCE_RECEIPT_V1],
};

/**
 * Genesis, then each enterprise node and Vault, given every node's public key and, per enterprise
 * node, the enclaves it executes in (recorded in its registration).
 */
export function genesisEvents(
  topology: Topology,
  publicKeys: ReadonlyMap<string, string>,
  enclaves: ReadonlyMap<string, readonly EnclaveRegistration[]> = new Map(),
): ProtocolEvent[] {
  const key = (id: string) => {
    const k = publicKeys.get(id);
    if (!k) throw new Error(`no public key for ${id}`);
    return k;
  };
  return [
    {
      type: 'genesis',
      network_id: topology.network_id,
      masters: topology.masters.map((m) => ({ node_id: m.node_id, public_key: key(m.node_id), operator: m.operator })),
      treasury_account: topology.treasury_account,
      parameters: topology.parameters,
      semantic_domains: topology.semantic_domains,
    },
    ...topology.enterprises.flatMap((e): ProtocolEvent[] => [
      {
        type: 'node_registered',
        node_id: e.node_id,
        kind: 'enterprise',
        public_key: key(e.node_id),
        operator: e.operator,
        ...(enclaves.get(e.node_id)?.length ? { enclaves: enclaves.get(e.node_id)!.map((x) => ({ ...x })) } : {}),
      },
      ...e.vault_ids.map(
        (vault_id): ProtocolEvent => ({ type: 'vault_registered', vault_id, node_id: e.node_id, operator: e.operator }),
      ),
    ]),
    ...identityEvents(topology, key),
  ];
}

/** Actor registrations, stakes, balances and grants of a topology that has actors. */
function identityEvents(topology: Topology, key: (id: string) => string): ProtocolEvent[] {
  const actors = topology.actors ?? [];
  if (actors.length === 0) return [];
  const { min_stake } = topology.parameters;
  const events: ProtocolEvent[] = [];
  for (const m of topology.masters) {
    events.push(
      { type: 'actor_registered', actor_id: m.operator, roles: ['verifier'], public_key: key(m.node_id) },
      { type: 'account_funded', actor_id: m.operator, account: 'stake', amount: min_stake.verifier },
    );
  }
  for (const e of topology.enterprises) {
    events.push(
      {
        type: 'actor_registered',
        actor_id: e.operator,
        roles: ['executor', 'vault_operator'],
        public_key: key(e.node_id),
      },
      { type: 'account_funded', actor_id: e.operator, account: 'stake', amount: min_stake.executor },
    );
  }
  const domain = topology.semantic_domains[0];
  for (const a of actors) {
    events.push({
      type: 'actor_registered',
      actor_id: a.actor_id,
      roles: [...a.roles].sort(),
      public_key: a.public_key,
    });
    if (a.balance) events.push({ type: 'account_funded', actor_id: a.actor_id, account: 'balance', amount: a.balance });
    if (a.grants !== 'all' || !domain) continue;
    for (const e of topology.enterprises) {
      for (const vault_id of e.vault_ids) {
        events.push({
          type: 'vault_grant_issued',
          grant: {
            schema_version: 1,
            grant_id: `grt_${a.actor_id.slice(4)}-${vault_id.slice(4)}`.slice(0, 67),
            vault_id,
            issuer: e.operator,
            grantee: a.actor_id,
            task_classes: ALL_CLASSES,
            domain: domain.domain,
            attributes: domain.attributes.map((x) => x.name).sort(),
          },
        });
      }
    }
  }
  return events;
}
