/**
 * The same Train task run twice, each time in a fresh process on a fresh network (new database,
 * node and enclave keys, aggregation session keys, ingestion salts), gives the same final model
 * hash and every round's model hash, for logistic regression and the MLP; another seed gives
 * other hashes, so the comparison can fail.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';

const child = join(import.meta.dirname, '..', 'support', 'train-replay-child.ts');

type Run = {
  pid: number;
  state: string;
  model_hash: string;
  standardization_hash: string;
  round_hashes: string[];
  logged_round_hashes: string[];
};

async function runOnce(seed: string, model: string): Promise<Run> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', child, seed, model], {
    timeout: 180_000,
  });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as Run;
}

describe('Train replays identically in fresh processes', () => {
  for (const model of ['logistic_regression', 'mlp']) {
    it(`${model}: same task twice gives the same final and round model hashes; another seed does not`, async () => {
      const first = await runOnce('1'.repeat(64), model);
      const second = await runOnce('1'.repeat(64), model);
      assert.notEqual(first.pid, second.pid);
      assert.equal(first.state, 'awaiting_settlement');
      assert.equal(first.round_hashes.length, 5);
      assert.deepEqual(first.logged_round_hashes, first.round_hashes, 'the log holds the transcript round hashes');
      assert.equal(second.model_hash, first.model_hash);
      assert.deepEqual(second.round_hashes, first.round_hashes);
      assert.equal(second.standardization_hash, first.standardization_hash);
      assert.equal(new Set(first.round_hashes).size, 5, 'every round moves the model');
      if (model === 'mlp') {
        const other = await runOnce('2'.repeat(64), model);
        assert.notEqual(other.model_hash, first.model_hash);
      }
    });
  }
});
