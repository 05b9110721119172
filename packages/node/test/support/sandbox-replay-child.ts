/**
 * Runs one sandboxed Compute task over a fixed Vault snapshot in its own process and prints the
 * released output and the transcript as canonical JSON, for the replay test:
 * `node --import tsx sandbox-replay-child.ts DATA_DIR` (every run reads the Vault stored there).
 */

import { readFile } from 'node:fs/promises';
import { canonicalString, domainHash, sha256Hex, type TaskEnvelope } from '@symphony/protocol';
import { SimulatedTeeProvider } from '../../src/adapters/simulated-tee.ts';
import { computeOutput, EXECUTOR_MEASUREMENT } from '../../src/execution/execute-task.ts';
import { everySubjectConsents } from './consent.ts';
import { openReplayVault } from './replay-vault.ts';

const source = await readFile(new URL('../../../../examples/programs/coffee-eligibility.js', import.meta.url), 'utf8');
const code_hash = sha256Hex(new TextEncoder().encode(source));
const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: sandbox-replay-child.ts DATA_DIR');
const vault_id = 'vlt_replay';
const { store, keyring, records } = await openReplayVault({
  dataDir,
  schema: 'replay',
  nodeKeyName: 'node-replay',
  vault_id,
  records: () =>
    Array.from({ length: 60 }, (_, i) => ({
      subject: `act_sub-${i % 12}`,
      fields: {
        category: i % 4 === 0 ? 'grocery' : 'coffee',
        total_amount: `${(i % 9) + 2}.${i % 10}0`,
        purchased_at: `2026-11-${String(10 + (i % 15)).padStart(2, '0')}T08:00:00Z`,
      },
    })),
});
const envelope = {
  task_id: 'tsk_replay',
  epoch_id: 3,
  policy_version: 1,
  admitted_at_ms: Date.parse('2026-11-28T00:00:00Z'),
  semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: [] },
  consent_scope: 'analytics',
  targets: { vault_ids: [vault_id] },
  spec: { kind: 'compute', program: { type: 'sandbox', code_hash, max_output_bytes: 4096, source }, filter: [] },
} as unknown as TaskEnvelope;
const run = await computeOutput(
  {
    nodeId: 'node_replay',
    operator: 'act_replay',
    keyName: 'node-replay',
    keyring,
    records,
    programApproval: (v, h) => v === vault_id && h === code_hash,
    consent: everySubjectConsents,
    tee: await SimulatedTeeProvider.open({
      keyring,
      keyName: 'node-replay.enclave',
      measurement: EXECUTOR_MEASUREMENT,
    }),
  },
  envelope,
  'ef'.repeat(32),
  1,
  {
    task_id: 'tsk_replay',
    domain: 'commerce.receipt',
    semantic_version: '1.0.0',
    bindings: [
      {
        vault_id,
        attributes: ['category', 'total_amount', 'purchased_at'].map((a) => ({ attribute: a, derivation: a })),
      },
    ],
  },
  5,
  [{ vault_id, as_of_seq: await records.head(vault_id) }],
);
await store.close();
process.stdout.write(
  `${canonicalString({ output: run.output, transcript: run.transcript, transcript_hash: domainHash('scp/v1/execution-transcript', run.transcript) })}\n`,
);
