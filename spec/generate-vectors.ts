/**
 * Regenerates every golden vector under spec/vectors from the scenarios and fixed inputs. The
 * output is byte-for-byte deterministic; CI regenerates and fails if anything changed. Changing a
 * vector is a protocol change.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AttestationEvidence,
  batchClaims,
  buildMerkleTree,
  canonicalString,
  DomainTags,
  digestBytes,
  domainHash,
  type ExecutionTranscript,
  envelopeHash,
  evidenceHash,
  payoutClaimProofOf,
  type RewardRecord,
  receiptHash,
  rewardTree,
  settlementTree,
  simulatedEvidenceDigest,
  splitFee,
  stateHash,
  statementHash,
  transcriptHash,
} from '../packages/protocol/src/index.ts';
import { defaultParameters, NetworkFixture, seededKey } from '../packages/protocol/test/support/network-fixture.ts';
import { REDUCER_SCENARIOS } from './scenarios.ts';
import { MANIFEST, renderManifest, serializeVector, VECTOR_KINDS, VECTORS_DIR } from './vector-format.ts';

rmSync(VECTORS_DIR, { recursive: true, force: true });
for (const kind of VECTOR_KINDS) mkdirSync(join(VECTORS_DIR, kind), { recursive: true });
const write = (path: string, value: unknown) => writeFileSync(join(VECTORS_DIR, path), serializeVector(value));

// canonical-encoding: RFC 8785 bytes and domain-tagged hashes.
const fixture = new NetworkFixture().genesis().enterpriseNode('node_ent-a', ['vlt_a1']);
const envelope = fixture.envelope('tsk_vector', ['vlt_a1']);
fixture.admit(envelope);
fixture.must({ type: 'task_resolution_started', task_id: 'tsk_vector' });
fixture.dispatch('tsk_vector');
const receipt = fixture.receipt('tsk_vector');
// An execution transcript and the simulated enclave's evidence for it (deterministic Ed25519).
const transcript: ExecutionTranscript = {
  schema_version: 1,
  task_id: 'tsk_vector',
  attempt: 1,
  task_class: 'compute',
  code_hash: domainHash('scp/v1/builtin-program', { type: 'builtin', operator: 'sum', attribute: 'total_amount' }),
  replay_context: receipt.replay_context,
  inputs: [{ vault_id: 'vlt_a1', as_of_seq: 12, record_count: 12, records_root: receipt.input_commitments[0]! }],
  output_hash: receipt.output_hash,
  resource_use: { records_scanned: 12, fuel: 0, memory_bytes: 0, output_bytes: 96 },
  details: { k_min: 5, suppressed: false },
};
const enclaveKey = seededKey('enclave/vector');
const evidenceClaims = {
  measurement: receipt.attestation.measurement,
  enclave_public_key: enclaveKey.publicKeyHex,
  report_data: transcriptHash(transcript),
};
const evidence: AttestationEvidence = {
  schema_version: 1,
  provider: 'simulated',
  ...evidenceClaims,
  body: enclaveKey.sign(digestBytes(simulatedEvidenceDigest(evidenceClaims))),
};
const canonicalCases: { name: string; description: string; input: unknown; tag?: string; without?: string[] }[] = [
  {
    name: 'key-order',
    description: 'Keys sort by UTF-16 code units, recursively.',
    input: { b: 1, a: { d: [3, 2], c: 'x' }, A: null },
  },
  {
    name: 'unicode',
    description: 'Non-ASCII stays literal; control characters are escaped.',
    input: { text: 'café ☕ \u0001 "q" \\ \n', emoji: '😀' },
  },
  {
    name: 'integers-and-amounts',
    description: 'Integers as JSON numbers; amounts as decimal strings.',
    input: { n: 9007199254740991, neg: -42, zero: 0, amount: '340282366920938463463374607431768211456' },
  },
  { name: 'empty-containers', description: 'Empty object and array.', input: { o: {}, a: [], s: '' } },
  {
    name: 'task-envelope',
    description: 'A compute TaskEnvelope; its hash is the envelope_hash.',
    input: envelope,
    tag: DomainTags.taskEnvelope,
  },
  {
    name: 'execution-receipt',
    description: 'A signed receipt; receipt_hash is taken without the signature.',
    input: receipt,
    tag: DomainTags.executionReceipt,
    without: ['signature'],
  },
  {
    name: 'execution-transcript',
    description: 'An execution transcript (commitments only); its hash is transcript_hash and the report data.',
    input: transcript,
    tag: DomainTags.executionTranscript,
  },
  {
    name: 'attestation-evidence',
    description:
      'Simulated attestation evidence: body is the enclave key Ed25519 signature over the scp/v1/simulated-attestation hash of (provider, measurement, enclave key, report data); its hash is evidence_hash.',
    input: evidence,
    tag: DomainTags.attestationEvidence,
  },
  {
    name: 'parameter-set',
    description: 'The default parameter set of policy_version 1.',
    input: defaultParameters(),
    tag: 'scp/v1/parameter-set',
  },
];
for (const c of canonicalCases) {
  const without = c.without ?? [];
  const hashed = Object.fromEntries(
    Object.entries(c.input as Record<string, unknown>).filter(([k]) => !without.includes(k)),
  );
  write(`canonical-encoding/${c.name}.json`, {
    description: c.description,
    input: c.input,
    without,
    canonical: canonicalString(hashed),
    ...(c.tag ? { domain_tag: c.tag, hash: domainHash(c.tag, hashed) } : {}),
  });
}
if (domainHash(DomainTags.taskEnvelope, envelope) !== envelopeHash(envelope))
  throw new Error('envelope hash rule drifted');
if (domainHash(DomainTags.attestationEvidence, evidence) !== evidenceHash(evidence))
  throw new Error('evidence hash rule drifted');
const { signature: _signature, ...unsignedReceipt } = receipt;
if (domainHash(DomainTags.executionReceipt, unsignedReceipt) !== receiptHash(receipt))
  throw new Error('receipt hash rule drifted');

// merkle: RFC 6962 roots and audit paths for small sizes.
for (const size of [0, 1, 2, 3, 5, 8, 13]) {
  const leaves = Array.from({ length: size }, (_, i) => new TextEncoder().encode(`leaf-${i}`));
  const tree = buildMerkleTree(leaves);
  write(`merkle/size-${String(size).padStart(2, '0')}.json`, {
    description: `RFC 6962 tree over ${size} leaves "leaf-<i>" (UTF-8); leaf hash SHA-256(0x00||data), node hash SHA-256(0x01||l||r).`,
    leaves_hex: leaves.map((l) => Buffer.from(l).toString('hex')),
    root: tree.rootHex,
    proofs: leaves.map((_, i) => tree.proof(i)),
  });
}

// reducer, settlement, rewards: one family per scenario.
for (const [name, build] of Object.entries(REDUCER_SCENARIOS)) {
  const net = build();
  write(`reducer/${name}.json`, {
    description: `Fold this log from the empty state; every outcome and the final state hash must match. Scenario: ${name}.`,
    entries: net.entries,
    expected: {
      outcomes: net.outcomes.map((o) =>
        o.kind === 'ignored' ? { seq: o.seq, kind: o.kind, code: o.refusal.code } : { seq: o.seq, kind: o.kind },
      ),
      head: net.state.head,
      state_hash: stateHash(net.state),
    },
  });
  const ledger = Object.values(net.state.rewards).sort((a, b) => (a.reward_id < b.reward_id ? -1 : 1));
  write(`rewards/${name}.json`, {
    description: `The reward ledger and payout intents folded from reducer/${name}.json.`,
    source: `reducer/${name}.json`,
    ledger,
    payouts: Object.values(net.state.payouts).sort((a, b) => (a.intent_id < b.intent_id ? -1 : 1)),
  });
  const s = net.state.settlements[1];
  if (s?.state === 'finalized' && s.candidate && s.certificate) {
    const tree = settlementTree(s.entries);
    const calculated: RewardRecord[] = ledger.filter((r) => r.epoch_id === 1 && r.state === 'finalized');
    write(`settlement/${name}-epoch-1.json`, {
      description:
        'Settlement root over entries in task_id order, rewards root over reward leaves, the statement and its quorum certificate.',
      master_keys: Object.fromEntries(Object.entries(net.state.masters).map(([id, m]) => [id, m.public_key])),
      quorum: 2,
      entries: s.entries,
      settlement_root: tree.rootHex,
      entry_proofs: s.entries.map((_, i) => tree.proof(i)),
      rewards: calculated.map((r) => ({
        reward_id: r.reward_id,
        epoch_id: r.epoch_id,
        task_id: r.task_id,
        account: r.account,
        role: r.role,
        units: r.units,
        amount: r.amount,
      })),
      rewards_root: rewardTree(calculated).rootHex,
      statement: s.candidate.statement,
      statement_hash: statementHash(s.candidate.statement),
      certificate: s.certificate,
      payout_batches: Object.values(net.state.payout_batches ?? {})
        .filter((b) => b.epoch_id === 1)
        .map((b) => {
          const claims = batchClaims(net.state, b.batch_id);
          return { batch: b, claims, claim_proofs: claims.map((c) => payoutClaimProofOf(claims, c.claimant)) };
        }),
    });
  }
}

// rewards: fee split examples.
const splitCases = [
  { fee: '0', contributions: [{ account: 'act_a', role: 'data_producer', units: 3 }] },
  {
    fee: '1001',
    contributions: [
      { account: 'act_a', role: 'data_producer', units: 1 },
      { account: 'act_b', role: 'data_producer', units: 2 },
      { account: 'act_x', role: 'executor', units: 1 },
    ],
  },
  {
    fee: '99999999999999999999999',
    contributions: [
      { account: 'act_a', role: 'data_producer', units: 7 },
      { account: 'act_b', role: 'data_producer', units: 13 },
      { account: 'act_v', role: 'vault_operator', units: 20 },
      { account: 'act_x', role: 'executor', units: 1 },
      { account: 'act_y', role: 'verifier', units: 1 },
    ],
  },
  { fee: '10', contributions: [] },
] as const;
const bps = defaultParameters().reward_split_bps;
write('rewards/split-examples.json', {
  description: 'splitFee under the default reward_split_bps; the treasury takes every remainder and empty role shares.',
  reward_split_bps: bps,
  treasury_account: 'act_treasury',
  cases: splitCases.map((c) => ({
    fee: c.fee,
    contributions: c.contributions,
    lines: splitFee(BigInt(c.fee), bps, c.contributions, 'act_treasury').map((l) => ({
      ...l,
      amount: l.amount.toString(),
    })),
  })),
});

writeFileSync(join(VECTORS_DIR, MANIFEST), renderManifest());
console.log(`golden vectors written to ${VECTORS_DIR}`);
