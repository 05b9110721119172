/**
 * Runs built-in Compute tasks once in a fresh process and prints their hashes, for the replay
 * test: `node --import tsx compute-replay-child.ts DATA_DIR EPOCH_ID`. Every run reads the same
 * sealed Vault stored in DATA_DIR (the first run stores it); the node and enclave keys come from
 * DATA_DIR/keys so every run is the same node and enclave. Prints one JSON line.
 */

import {
  canonicalString,
  domainHash,
  envelopeHash,
  receiptHash,
  type TaskEnvelope,
  transcriptHash,
} from '@symphony/protocol';
import { FileKeyring } from '../../src/adapters/file-keyring.ts';
import { SimulatedTeeProvider } from '../../src/adapters/simulated-tee.ts';
import { schemaOf } from '../../src/data/sql-names.ts';
import type { BuiltinProgram } from '../../src/execution/builtin-operators.ts';
import { EXECUTOR_MEASUREMENT, executeTask } from '../../src/execution/execute-task.ts';
import { sealIsIntact } from '../../src/execution/transcript.ts';
import type { Resolution } from '../../src/wire/enterprise-rpc.ts';
import { everySubjectConsents } from './consent.ts';
import { openReplayVault } from './replay-vault.ts';

const [dataDir, epochArg] = process.argv.slice(2);
if (!dataDir || !epochArg) throw new Error('usage: compute-replay-child.ts DATA_DIR EPOCH_ID');
const epoch_id = Number(epochArg);

const schema = schemaOf('node_replay');
const vault_id = 'vlt_replay';
const { store, records } = await openReplayVault({
  dataDir,
  schema,
  nodeKeyName: 'node-replay',
  vault_id,
  records: () =>
    Array.from({ length: 40 }, (_, i) => ({
      subject: `act_sub-${i % 9}`,
      fields: {
        merchant: `Shop ${i % 4}`,
        category: i % 3 === 0 ? 'grocery' : 'coffee',
        total_amount: `${(i * 7) % 23}.${String((i * 13) % 100).padStart(2, '0')}`,
        purchased_at: `2026-11-${String(1 + (i % 20)).padStart(2, '0')}T08:00:00Z`,
      },
    })),
});

const keyring = new FileKeyring({ dataDir });
await keyring.ensureKey('node-replay');
const tee = await SimulatedTeeProvider.open({
  keyring,
  keyName: 'node-replay.enclave',
  measurement: EXECUTOR_MEASUREMENT,
});
const ctx = {
  nodeId: 'node_replay',
  operator: 'act_replay',
  keyName: 'node-replay',
  keyring,
  records,
  tee,
  consent: everySubjectConsents,
};

const programs: BuiltinProgram[] = [
  { type: 'builtin', operator: 'count' },
  { type: 'builtin', operator: 'sum', attribute: 'total_amount' },
  { type: 'builtin', operator: 'mean', attribute: 'total_amount' },
  { type: 'builtin', operator: 'histogram', attribute: 'total_amount', bin_edges: ['0', '5', '10', '25'] },
];
const resolution = (task_id: string): Resolution => ({
  task_id,
  domain: 'commerce.receipt',
  semantic_version: '1.0.0',
  bindings: [
    {
      vault_id,
      attributes: [
        { attribute: 'category', derivation: 'category' },
        { attribute: 'total_amount', derivation: 'total_amount' },
      ],
    },
  ],
});

const results = [];
for (const [i, program] of programs.entries()) {
  const envelope: TaskEnvelope = {
    schema_version: 1,
    task_id: `tsk_replay-${i}`,
    class: 'compute',
    submitter: 'act_brand',
    authorization: { grant_ids: [] },
    consent_scope: 'analytics',
    targets: { vault_ids: [vault_id] },
    semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['category', 'total_amount'] },
    policy_version: 1,
    epoch_id,
    budget: { max_fee: '100000' },
    admitted_at_ms: 1_795_000_000_000,
    deadline_ms: 1_795_000_600_000,
    spec: { kind: 'compute', program, filter: [{ attribute: 'category', op: 'eq', value: 'coffee' }] },
  };
  const reply = await executeTask(ctx, {
    envelope,
    envelope_hash: envelopeHash(envelope),
    attempt: 1,
    resolution: resolution(envelope.task_id),
    policy: { k_min: 3, policy_version: 1 },
  });
  results.push({
    operator: program.operator,
    output_hash: reply.receipt.output_hash,
    transcript_hash: reply.receipt.transcript_hash,
    recomputed_transcript_hash: transcriptHash(reply.transcript.transcript),
    transcript_bytes_hash: domainHash('scp/v1/test-bytes', { text: canonicalString(reply.transcript.transcript) }),
    output_bytes_hash: domainHash('scp/v1/test-bytes', { text: canonicalString(reply.output) }),
    evidence_hash: reply.receipt.attestation.evidence_hash,
    receipt_hash: receiptHash(reply.receipt),
    provider: reply.receipt.attestation.provider,
    seal_intact: sealIsIntact(reply.transcript),
    records_scanned: reply.transcript.transcript.resource_use.records_scanned,
  });
}
await store.close();
process.stdout.write(`${JSON.stringify({ pid: process.pid, results })}\n`);
