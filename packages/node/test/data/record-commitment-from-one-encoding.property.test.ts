/**
 * Sealing encodes a record's fields once (`plaintextAndCommitment`): the commitment it derives must
 * equal the reference `recordCommitment` (a `domainHash` of the whole object), and the plaintext
 * must parse back to the fields and the salt, for any JSON fields the canonical encoding accepts
 * (nested objects, arrays, integers, non-ASCII and escaped strings, keys in any order).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { plaintextAndCommitment, recordCommitment } from '../../src/data/vault-records.ts';

const scalar = fc.oneof(fc.string({ unit: 'binary' }), fc.integer(), fc.boolean(), fc.constant(null));
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, scalar, fc.array(tie('value'), { maxLength: 4 }), tie('object')),
  object: fc.dictionary(fc.string({ unit: 'binary' }), tie('value'), { maxKeys: 5 }),
})).object;
const id = (prefix: string) => fc.stringMatching(/^[0-9a-z_-]{1,20}$/).map((s) => `${prefix}_${s}`);

describe('record commitment from one encoding', () => {
  it('equals the domain-hash commitment, and the plaintext carries the fields and the salt', () => {
    fc.assert(
      fc.property(
        json,
        id('vlt'),
        id('rec'),
        id('act'),
        fc.stringMatching(/^[0-9a-f]{32}$/),
        (fields, v, r, s, salt) => {
          const lone = JSON.stringify(fields).match(/\\ud[89a-f]/i);
          fc.pre(!lone);
          const out = plaintextAndCommitment(v, r, s, fields, salt);
          assert.equal(out.commitment, recordCommitment(v, r, s, fields, salt));
          assert.deepEqual(JSON.parse(out.plaintext.toString('utf8')), JSON.parse(JSON.stringify({ fields, salt })));
        },
      ),
      { numRuns: 300 },
    );
  });
});
