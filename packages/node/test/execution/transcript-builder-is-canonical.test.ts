import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalBytes, domainHash, evidenceHash, transcriptHash } from '@symphony/protocol';
import { MemoryKeyring } from '../../src/adapters/memory-keyring.ts';
import { SimulatedTeeProvider } from '../../src/adapters/simulated-tee.ts';
import { buildTranscript, sealIsIntact, sealTranscript, type TranscriptFacts } from '../../src/execution/transcript.ts';

const facts: TranscriptFacts = {
  task_id: 'tsk_t1',
  attempt: 1,
  task_class: 'compute',
  code_hash: domainHash('scp/v1/builtin-program', { type: 'builtin', operator: 'count' }),
  replay_context: {
    epoch_id: 3,
    semantic_version: '1.0.0',
    policy_version: 2,
    seed: domainHash('scp/v1/replay-seed', { envelope_hash: 'x' }),
  },
  inputs: [{ vault_id: 'vlt_a', as_of_seq: 10, record_count: 10, records_root: domainHash('scp/v1/x', { r: 1 }) }],
  output: { operator: 'count', records: 10, subjects: 6, value: 10 },
  resource_use: { records_scanned: 10, fuel: 0, memory_bytes: 0 },
  details: { k_min: 5, suppressed: false },
};

describe('transcript builder', () => {
  it('gives the same transcript hash for the same facts in any key order', () => {
    const a = buildTranscript(facts);
    const reordered = buildTranscript({
      details: { suppressed: false, k_min: 5 },
      resource_use: { memory_bytes: 0, fuel: 0, records_scanned: 10 },
      output: { value: 10, subjects: 6, records: 10, operator: 'count' },
      inputs: facts.inputs,
      replay_context: { ...facts.replay_context },
      code_hash: facts.code_hash,
      task_class: 'compute',
      attempt: 1,
      task_id: 'tsk_t1',
    });
    assert.equal(reordered.transcript_hash, a.transcript_hash);
    assert.equal(reordered.output_hash, a.output_hash);
    assert.equal(a.transcript_hash, transcriptHash(a.transcript));
    assert.equal(a.transcript.resource_use.output_bytes, canonicalBytes(facts.output).length);
  });

  it('changes the transcript hash with any replay-context field, input, code or output', () => {
    const base = buildTranscript(facts).transcript_hash;
    const variants: TranscriptFacts[] = [
      { ...facts, replay_context: { ...facts.replay_context, epoch_id: 4 } },
      { ...facts, replay_context: { ...facts.replay_context, semantic_version: '1.1.0' } },
      { ...facts, replay_context: { ...facts.replay_context, policy_version: 3 } },
      { ...facts, replay_context: { ...facts.replay_context, seed: domainHash('scp/v1/replay-seed', { e: 'y' }) } },
      { ...facts, inputs: [{ ...facts.inputs[0]!, as_of_seq: 11 }] },
      { ...facts, code_hash: domainHash('scp/v1/builtin-program', { type: 'builtin', operator: 'sum' }) },
      { ...facts, output: { ...(facts.output as object), value: 11 } },
      { ...facts, resource_use: { ...facts.resource_use, fuel: 1 } },
    ];
    const hashes = new Set(variants.map((v) => buildTranscript(v).transcript_hash));
    assert.equal(hashes.size, variants.length);
    assert.ok(!hashes.has(base));
  });

  it('seals with the enclave: evidence attests the transcript hash and any change breaks the seal', async () => {
    const tee = await SimulatedTeeProvider.open({
      keyring: new MemoryKeyring(),
      keyName: 'enclave',
      measurement: domainHash('scp/v1/enclave-measurement', { runtime: 't', version: 1 }),
    });
    const { transcript, transcript_hash } = buildTranscript(facts);
    const sealed = await sealTranscript(tee, transcript);
    assert.equal(sealed.transcript_hash, transcript_hash);
    assert.equal(sealed.signed.evidence.report_data, transcript_hash);
    assert.equal(sealed.evidence_hash, evidenceHash(sealed.signed.evidence));
    assert.ok(sealIsIntact(sealed.signed));
    assert.ok(!sealIsIntact({ ...sealed.signed, transcript: { ...transcript, attempt: 2 } }));
    const otherSignature = await tee.sign(new Uint8Array(32));
    assert.ok(!sealIsIntact({ ...sealed.signed, signature: otherSignature }));
  });
});
