/**
 * Sealing encodes a record's fields once and seals batches part by part, on the calling thread or
 * in the sealing worker (`sealRecordsPart`): the commitment of every row must equal the reference
 * `recordCommitment` (a `domainHash` of the whole object) under the reference `recordSalt`, and the
 * ciphertext must open with the reference `openPayload` under `recordKey(subject key, batch key)` to
 * the fields and the salt, for any JSON fields the canonical encoding accepts (nested objects,
 * arrays, integers, non-ASCII and escaped strings, keys in any order). The worker runs the same
 * source: its rows must open and commit the same.
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalString } from '@symphony/protocol';
import fc from 'fast-check';
import type { SealJob } from '../../src/data/seal-records.ts';
import { sealHere, sealInWorker } from '../../src/data/seal-worker.ts';
import { openPayload, recordKey, recordSalt } from '../../src/data/vault-crypto.ts';
import { recordCommitment } from '../../src/data/vault-records.ts';

const scalar = fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.boolean(), fc.constant(null));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 4 }), tie('object')),
  object: fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 5 }),
})).object;
const id = (prefix: string) => fc.stringMatching(/^[0-9a-z_-]{1,20}$/).map((s) => `${prefix}_${s}`);

type Row = { record_id: string; subject: string; ciphertext: string; commitment: string; size_bytes: number };
type Input = { v: string; records: { r: string; s: string; fields: Record<string, unknown> }[] };

function jobOf(input: Input, saltKey: Buffer, batchKey: Buffer, subjectKeys: Map<string, Buffer>): SealJob {
  const subjects = [...new Set(input.records.map((x) => x.s))];
  const keys = Buffer.concat([saltKey, batchKey, ...subjects.map((s) => subjectKeys.get(s)!)]);
  return {
    vault_id: input.v,
    record_ids: input.records.map((x) => x.r),
    subjects: input.records.map((x) => x.s),
    fields: input.records.map((x) => canonicalString(x.fields)),
    key_index: input.records.map((x) => subjects.indexOf(x.s)),
    keys: new Uint8Array(keys).buffer,
  };
}

function check(input: Input, rowsJson: string, saltKey: Buffer, batchKey: Buffer, subjectKeys: Map<string, Buffer>) {
  const rows = JSON.parse(rowsJson) as Row[];
  assert.equal(rows.length, input.records.length);
  input.records.forEach(({ r, s, fields }, i) => {
    const row = rows[i]!;
    assert.equal(row.record_id, r);
    assert.equal(row.subject, s);
    const salt = recordSalt(saltKey, { vaultId: input.v, recordId: r, subject: s }, fields);
    assert.equal(row.commitment, recordCommitment(input.v, r, s, fields, salt));
    const plain = openPayload(
      recordKey(subjectKeys.get(s)!, batchKey),
      { vaultId: input.v, recordId: r, subject: s },
      Buffer.from(row.ciphertext, 'base64'),
    );
    assert.equal(row.size_bytes, plain.length);
    assert.deepEqual(JSON.parse(plain.toString('utf8')), JSON.parse(JSON.stringify({ fields, salt })));
  });
}

const input = fc.record({
  v: id('vlt'),
  records: fc.array(fc.record({ r: id('rec'), s: fc.constantFrom('act_a', 'act_b', 'act_c'), fields: json }), {
    minLength: 1,
    maxLength: 5,
  }),
});
const noLoneSurrogate = (x: Input) => !JSON.stringify(x.records.map((r) => r.fields)).match(/\\ud[89a-f]/i);
const subjectKeys = () => new Map(['act_a', 'act_b', 'act_c'].map((s) => [s, crypto.randomBytes(32)]));

describe('record commitment from one encoding', () => {
  it('equals the domain-hash commitment, and the ciphertext opens to the fields and the salt', () => {
    const saltKey = crypto.randomBytes(32);
    const keys = subjectKeys();
    fc.assert(
      fc.property(input, (x) => {
        fc.pre(noLoneSurrogate(x));
        const batchKey = crypto.randomBytes(32);
        check(x, sealHere(jobOf(x, saltKey, batchKey, keys)), saltKey, batchKey, keys);
      }),
      { numRuns: 300 },
    );
  });

  it('the sealing worker seals the same way', async () => {
    const saltKey = crypto.randomBytes(32);
    const keys = subjectKeys();
    const samples = fc.sample(input, { numRuns: 40, seed: 5 }).filter(noLoneSurrogate);
    const batchKey = crypto.randomBytes(32);
    const sealed = await Promise.all(samples.map((x) => sealInWorker(jobOf(x, saltKey, batchKey, keys))));
    for (const [i, x] of samples.entries()) check(x, sealed[i]!, saltKey, batchKey, keys);
  });
});
