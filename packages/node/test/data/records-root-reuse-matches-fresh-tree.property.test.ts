/**
 * Property: the materializer reuses a records root per snapshot and refused set, and the reused
 * root is always the Merkle root of exactly the records kept for that task. Random consent
 * predicates are asked in random order over one snapshot (as successive tasks do); every answer is
 * compared with a tree built from scratch over the kept commitments, and the rows must match the
 * predicate every time (consent is still asked per task).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { buildMerkleTree, hexToBytes } from '@symphony/protocol';
import fc from 'fast-check';
import { materializeRecords } from '../../src/data/materialize-records.ts';
import type { StoredRecord } from '../../src/data/vault-records.ts';

const SUBJECTS = ['act_s0', 'act_s1', 'act_s2', 'act_s3', 'act_s4'] as const;

function snapshotOf(subjects: readonly number[]): readonly StoredRecord[] {
  return subjects.map((s, i) => ({
    seq: 1,
    record_id: `rec_${i}`,
    subject: SUBJECTS[s]!,
    fields: { amount: i },
    commitment: createHash('sha256').update(`record ${i}`).digest('hex'),
  }));
}

describe('records root reuse', () => {
  it('every task gets the root of the records its own predicate kept', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.nat(SUBJECTS.length - 1), { minLength: 0, maxLength: 30 }),
        fc.array(fc.array(fc.boolean(), { minLength: SUBJECTS.length, maxLength: SUBJECTS.length }), {
          minLength: 1,
          maxLength: 8,
        }),
        async (subjects, predicates) => {
          const stored = snapshotOf(subjects);
          const records = { snapshot: async () => stored };
          // Each predicate twice, so the second answer comes from the reused root.
          for (const allowed of [...predicates, ...predicates]) {
            const admissible = (s: string) => allowed[SUBJECTS.indexOf(s as (typeof SUBJECTS)[number])] === true;
            const m = await materializeRecords(records, {
              vault_id: 'vlt_a',
              as_of_seq: 1,
              as_of_ms: 0,
              attributes: [{ attribute: 'amount', derivation: 'amount' }],
              admissible,
            });
            const kept = stored.filter((r) => admissible(r.subject));
            assert.equal(m.records_root, buildMerkleTree(kept.map((r) => hexToBytes(r.commitment))).rootHex);
            assert.deepEqual(
              m.rows.map((r) => r.subject),
              kept.map((r) => r.subject),
            );
            assert.equal(m.record_count, kept.length);
            assert.equal(m.refused, stored.length - kept.length);
          }
        },
      ),
      { numRuns: 200 },
    );
  });
});
