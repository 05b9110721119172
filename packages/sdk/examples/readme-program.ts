// A complete program: ingest receipts, record consent, submit a Query, watch it, read its result,
// then close the epoch and verify offline that the task is in the settlement 2 of 3 masters signed.
// Run it against `symphony up`: SYMPHONY_URL=http://127.0.0.1:7070 SYMPHONY_KEY_FILE=~/.symphony/keys/act_local.json
import type { SubmitTaskRequest } from '@symphony/api';
import { SymphonyClient, verifySettlementProof, watchSettlement, watchTask } from '@symphony/sdk';
import { signerFromKeyFile } from '@symphony/sdk/node';

const client = new SymphonyClient({
  baseUrl: process.env.SYMPHONY_URL ?? 'http://127.0.0.1:7070',
  signer: signerFromKeyFile(process.env.SYMPHONY_KEY_FILE ?? `${process.env.HOME}/.symphony/keys/act_local.json`),
});
const me = client.actorId!;

// 1. The network: a task runs next to its data, so pick one enterprise node's Vault.
const network = await client.getNetwork();
const vaultId = network.enterprise_nodes[0]!.vault_ids[0]!;

// 2. Ingest receipts of 40 data subjects (decimals are strings).
const cities = ['Singapore', 'Bangkok'];
const records = Array.from({ length: 120 }, (_, i) => ({
  subject: `act_sdk-subject-${String(i % 40).padStart(3, '0')}`,
  fields: {
    merchant: `Kopi ${i % 7}`,
    category: i % 3 === 0 ? 'dining' : 'coffee',
    city: cities[i % 2]!,
    total_amount: `${3 + (i % 17)}.${String((i * 37) % 100).padStart(2, '0')}`,
    purchased_at: new Date(Date.UTC(2026, 9, 1 + (i % 28), 8 + (i % 12))).toISOString().replace('.000Z', 'Z'),
  },
}));
const ingested = await client.ingestRecords(vaultId, { records });
console.log(`ingested ${ingested.accepted} records into ${vaultId}`);

// 3. Each data subject consents to analytics (the Vault's node records it in the log).
const subjects = [...new Set(records.map((r) => r.subject))];
await client.grantConsents(
  subjects.map((subject) => ({ vault_id: vaultId, subject, scope: 'analytics', expires_at_ms: Date.UTC(2100, 0, 1) })),
);

// 4. Submit a Query: distinct subjects per city. Groups resting on fewer than k_min subjects are
//    left out of the result exactly as absent ones; released counts may carry calibrated noise.
//    The task's class follows its spec, so a Compute task is the same request with a Compute spec.
const spec: SubmitTaskRequest['spec'] = {
  kind: 'query',
  filter: [],
  group_by: ['city'],
  aggregates: [{ fn: 'count_distinct_subjects' }],
};
const request: SubmitTaskRequest = {
  class: spec.kind,
  submitter: me,
  consent_scope: 'analytics',
  targets: { vault_ids: [vaultId] },
  semantic: { domain: 'commerce.receipt', semantic_version: '1.0.0', attributes: ['city'] },
  budget: { max_fee: '100000' },
  spec,
};
const { task } = await client.submitTask(request); // an Idempotency-Key is generated and reused on retry

// 5. Watch it until its result is released.
for await (const view of watchTask(client, task.task_id, { until: ['awaiting_settlement', 'rejected', 'timed_out'] }))
  console.log(`${task.task_id}: ${view.state}`);

// 6. Read the result: the released groups (an aggregate, never records).
const result = await client.getTaskResult(task.task_id);
console.log('result', JSON.stringify(result.output), result.attestation?.provider ?? '');

// 7. Close the epoch and wait for the masters' quorum certificate.
const { closed_epoch } = await client.closeCurrentEpoch();
for await (const settlement of watchSettlement(client, closed_epoch))
  console.log(`epoch ${closed_epoch}: ${settlement.state}`);

// 8. Verify offline: the task's entry is in the settlement tree whose root a quorum of masters signed.
const proof = await client.getSettlementProof(closed_epoch, task.task_id);
const verdict = verifySettlementProof(proof, network.masters); // with master keys, the certificate is required
if (!verdict.ok) throw new Error(`settlement proof rejected: ${verdict.reason}: ${verdict.message}`);
console.log(
  `inclusion proof verified: leaf ${proof.leaf_index} of ${proof.tree_size} under root ${proof.settlement_root}`,
);
