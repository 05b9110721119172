/** A step that throws (a dependency down) is run again by itself after a backoff; a stopped runner runs nothing more. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KeyedRunner } from '../../src/coordination/task-queue.ts';
import { waitFor } from '../support/wait.ts';

describe('KeyedRunner', () => {
  it('runs a failed step again without being scheduled again', async () => {
    let calls = 0;
    const errors: unknown[] = [];
    const runner = new KeyedRunner(
      async () => {
        calls++;
        if (calls < 3) throw new Error('log unreachable');
      },
      (_key, error) => errors.push(error),
    );
    runner.schedule('tsk_a');
    await waitFor(() => calls === 3, 'the third run');
    assert.equal(errors.length, 2);
    await runner.stop();
  });

  it('drops pending retries when stopped', async () => {
    let calls = 0;
    const runner = new KeyedRunner(
      async () => {
        calls++;
        throw new Error('down');
      },
      () => {},
    );
    runner.schedule('tsk_b');
    await waitFor(() => calls === 1, 'the first run');
    await runner.stop();
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(calls, 1);
  });
});
