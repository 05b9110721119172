/**
 * Property: a reward id is the domain hash of its inputs, however often and in whatever order the
 * ids are asked for (several folds in one process share one memo of them), with and without a salt.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { domainHash } from '../src/hashing/domain-hash.ts';
import { DomainTags } from '../src/objects/domain-tags.ts';
import { rewardId } from '../src/reducer/reward-records.ts';

const inputArb = fc.record({
  epoch_id: fc.nat(50),
  task_id: fc.constantFrom('tsk_a', 'tsk_b', 'tsk_"c"', 'tsk_a,1'),
  account: fc.constantFrom('act_a', 'act_b', 'act_a,1', 'act_\u00e9'),
  role: fc.constantFrom('data_producer', 'executor', 'verifier') as fc.Arbitrary<
    'data_producer' | 'executor' | 'verifier'
  >,
  salt: fc.option(fc.constantFrom('s1', 's2', 'null'), { nil: undefined }),
});

describe('reward ids', () => {
  it('are the domain hash of (epoch, task, account, role[, salt]) on every call', () => {
    fc.assert(
      fc.property(fc.array(inputArb, { minLength: 1, maxLength: 40 }), (inputs) => {
        for (const i of [...inputs, ...inputs.reverse()]) {
          const { epoch_id, task_id, account, role, salt } = i;
          const expected = `rwd_${domainHash(DomainTags.rewardId, salt ? { epoch_id, task_id, account, role, salt } : { epoch_id, task_id, account, role }).slice(0, 32)}`;
          assert.equal(rewardId(epoch_id, task_id, account, role, salt), expected);
        }
      }),
      { numRuns: 300 },
    );
  });
});
