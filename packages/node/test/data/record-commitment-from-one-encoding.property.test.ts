/**
 * Sealing encodes a record's fields once and seals batches part by part, on the calling thread or
 * in the sealing worker (`sealRecordsPart`): the commitment of every row must equal the reference
 * `recordCommitment` (a `domainHash` of the whole object) under the reference `recordSalt`, and the
 * ciphertext must open with the reference `openPayload` under `recordKey(subject key, batch key)` to
 * the fields and the salt, for any JSON fields the canonical encoding accepts (nested objects,
 * arrays, integers, non-ASCII and escaped strings, keys in any order), whether the rows come as
 * JSON or as a binary `COPY` stream (ids may hold tabs, newlines and backslashes there). The
 * worker runs the same source: its rows must open and commit the same.
 */
import assert from 'node:assert/strict';
import * as crypto from 'node:crypto';
import { describe, it } from 'node:test';
import { canonicalString } from '@symphony/protocol';
import fc from 'fast-check';
import { type SealFormat, type SealJob, sealJobRecords } from '../../src/data/seal-records.ts';
import { sealHere, sealInWorker } from '../../src/data/seal-worker.ts';
import { openPayload, recordKey, recordSalt } from '../../src/data/vault-crypto.ts';
import { recordCommitment } from '../../src/data/vault-records.ts';

const scalar = fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.boolean(), fc.constant(null));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 4 }), tie('object')),
  object: fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 5 }),
})).object;
const id = (prefix: string) => fc.stringMatching(/^[0-9a-z_\\\t\n\r-]{1,20}$/).map((s) => `${prefix}_${s}`);
// One text field (`vlt`) before the record's own five.
const PREFIX = Uint8Array.from([0, 0, 0, 3, 0x76, 0x6c, 0x74]);

type Row = { record_id: string; subject: string; ciphertext: string; commitment: string; size_bytes: number };
type Input = { v: string; records: { r: string; s: string; fields: Record<string, unknown> }[] };

function jobOf(
  input: Input,
  saltKey: Buffer,
  batchKey: Buffer,
  subjectKeys: Map<string, Buffer>,
  format: SealFormat,
): SealJob {
  const subjects = [...new Set(input.records.map((x) => x.s))];
  const keys = Buffer.concat([saltKey, batchKey, ...subjects.map((s) => subjectKeys.get(s)!)]);
  return {
    vault_id: input.v,
    ...sealJobRecords(
      input.records.map((x) => x.r),
      input.records.map((x) => x.s),
      input.records.map((x) => canonicalString(x.fields)),
      input.records.map((x) => subjects.indexOf(x.s)),
    ),
    keys: new Uint8Array(keys).buffer,
    format,
    ...(format === 'copy' ? { prefix: PREFIX, columns: 6 } : {}),
  };
}

/** The rows of a sealed part, from JSON or from a binary `COPY` stream. */
function rowsOf(sealed: Uint8Array, format: SealFormat): Row[] {
  const bin = Buffer.from(sealed);
  if (format === 'json') return JSON.parse(bin.toString('utf8')) as Row[];
  assert.equal(bin.subarray(0, 19).toString('latin1'), 'PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0');
  let at = 19;
  const field = () => {
    const n = bin.readInt32BE(at);
    const bytes = bin.subarray(at + 4, at + 4 + n);
    at += 4 + n;
    return bytes;
  };
  const rows: Row[] = [];
  for (;;) {
    const columns = bin.readInt16BE(at);
    at += 2;
    if (columns === -1) break;
    assert.equal(columns, 6);
    assert.deepEqual(field(), Buffer.from('vlt'));
    const [record_id, subject, ciphertext, commitment, size] = [field(), field(), field(), field(), field()];
    rows.push({
      record_id: record_id.toString('utf8'),
      subject: subject.toString('utf8'),
      ciphertext: ciphertext.toString('base64'),
      commitment: commitment.toString('latin1'),
      size_bytes: size.readInt32BE(0),
    });
  }
  assert.equal(at, bin.length);
  return rows;
}

function check(input: Input, rows: Row[], saltKey: Buffer, batchKey: Buffer, subjectKeys: Map<string, Buffer>) {
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
        for (const format of ['json', 'copy'] as const)
          check(x, rowsOf(sealHere(jobOf(x, saltKey, batchKey, keys, format)), format), saltKey, batchKey, keys);
      }),
      { numRuns: 300 },
    );
  });

  it('the sealing worker seals the same way', async () => {
    const saltKey = crypto.randomBytes(32);
    const keys = subjectKeys();
    const samples = fc.sample(input, { numRuns: 40, seed: 5 }).filter(noLoneSurrogate);
    const batchKey = crypto.randomBytes(32);
    for (const format of ['json', 'copy'] as const) {
      const sealed = await Promise.all(samples.map((x) => sealInWorker(jobOf(x, saltKey, batchKey, keys, format))));
      for (const [i, x] of samples.entries()) check(x, rowsOf(sealed[i]!, format), saltKey, batchKey, keys);
    }
  });
});
