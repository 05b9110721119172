/**
 * An embedded network for verification and challenge tests: a funded task submitter, a staked
 * watcher who challenges, staked operators, optionally a compromised enclave, and a helper that
 * replays a challenge's adjudication in a fresh process from its replay bundle.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ParameterSet } from '@symphony/protocol';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import type { PgliteStore } from '../../src/adapters/pglite-store.ts';
import {
  type EmbeddedNetwork,
  type EmbeddedNetworkOptions,
  openEmbeddedNetwork,
} from '../../src/roles/embedded-network.ts';
import { EMBEDDED_TOPOLOGY } from '../../src/roles/network-topology.ts';
import { actorKey } from './signed-requests.ts';

export const SUBMITTER = 'act_brand';
export const WATCHER = 'act_watcher';

/** Thirty receipts of ten shoppers in one Vault, for compute tasks. */
export const RECEIPT_RECORDS = Array.from({ length: 30 }, (_, i) => ({
  subject: `act_sub-${i % 10}`,
  fields: {
    merchant: `Shop ${i % 4}`,
    category: i % 3 ? 'coffee' : 'books',
    city: 'Singapore',
    total_amount: `${(i % 7) + 3}.50`,
    purchased_at: '2026-11-20T08:00:00Z',
  },
}));

/** A compute task (sum of totals of one category) over one Vault; `i` picks the category. */
export const sumTask = (vault_id: string, i: number) => ({
  class: 'compute' as const,
  submitter: SUBMITTER,
  consent_scope: 'analytics' as const,
  targets: { vault_ids: [vault_id] },
  semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category', 'total_amount'] },
  budget: { max_fee: '100000' },
  spec: {
    kind: 'compute' as const,
    program: { type: 'builtin' as const, operator: 'sum' as const, attribute: 'total_amount' },
    filter: [{ attribute: 'category', op: 'eq' as const, value: i % 2 ? 'coffee' : 'books' }],
  },
});

/** Opens the network with the submitter and the watcher registered, then stakes `stakes` (actor -> amount). */
export async function openChallengeNetwork(
  store: PgliteStore,
  o: {
    parameters: Partial<ParameterSet>;
    stakes: Record<string, string>;
  } & Pick<EmbeddedNetworkOptions, 'faultFor' | 'aggregationFaultFor'> &
    Partial<Pick<EmbeddedNetworkOptions, 'keyring' | 'broker'>>,
): Promise<EmbeddedNetwork> {
  const net = await openEmbeddedNetwork({
    store,
    keyring: o.keyring ?? new MemoryKeyring(),
    pollIntervalMs: 20,
    topology: { ...EMBEDDED_TOPOLOGY, parameters: { ...EMBEDDED_TOPOLOGY.parameters, ...o.parameters } },
    actors: [
      {
        actor_id: SUBMITTER,
        roles: ['task_submitter'],
        public_key: actorKey(SUBMITTER).publicKeyHex,
        balance: '100000000',
        grants: 'all',
      },
      { actor_id: WATCHER, roles: ['verifier'], public_key: actorKey(WATCHER).publicKeyHex, balance: '100000' },
    ],
    ...(o.faultFor ? { faultFor: o.faultFor } : {}),
    ...(o.aggregationFaultFor ? { aggregationFaultFor: o.aggregationFaultFor } : {}),
    ...(o.broker ? { broker: o.broker } : {}),
  });
  for (const [actor_id, amount] of Object.entries(o.stakes)) {
    const r = await net.coordinator.writer.append({ type: 'account_funded', actor_id, account: 'stake', amount });
    assert.equal(r.kind, 'applied');
  }
  return net;
}

/** Replays challenge `id` in a fresh process from its replay bundle (written under `dir`). */
export async function replayInFreshProcess(
  net: EmbeddedNetwork,
  dir: string,
  id: string,
): Promise<{ outcome: string; decision_hash: string; matches: boolean }> {
  const bundle = await net.coordinator.service.challenges!.replayBundle(id);
  assert.ok(bundle, `a replay bundle for ${id}`);
  const file = join(dir, `${id}.json`);
  writeFileSync(file, JSON.stringify(bundle));
  const child = join(import.meta.dirname, 'challenge-replay-child.ts');
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, file]);
  return JSON.parse(stdout);
}
