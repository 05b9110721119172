import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TaskEventView, TaskView } from '@symphony/api';
import { runCli } from '../src/program.ts';
import { argv, captureIo } from './support/capture-io.ts';
import { startFakeApi } from './support/fake-api.ts';
import { sampleTask } from './support/fixtures.ts';

/** A fake node whose task advances one state per GET /v1/tasks/:id. */
async function progressingNode(states: TaskView['state'][], reason?: string) {
  let poll = 0;
  const events: TaskEventView[] = [];
  const base = Date.UTC(2026, 10, 28, 8, 0, 0);
  return startFakeApi({
    'GET /v1/tasks/tsk_0001': () => {
      const index = Math.min(poll++, states.length - 1);
      const state = states[index] ?? 'accepted';
      if (events.length <= index) {
        events.push({
          seq: index,
          time_ms: base + index * 1000,
          epoch_id: 1,
          type: `to_${state}`,
          state,
          outcome: 'applied',
        });
      }
      return { body: sampleTask(state, { updated_seq: index, ...(reason && { reason_code: reason }) }) };
    },
    'GET /v1/tasks/tsk_0001/events': () => ({ body: { task_id: 'tsk_0001', events } }),
  });
}

describe('symphony task watch', () => {
  it('prints each state change with its time and exits 0 at awaiting_settlement', async () => {
    const api = await progressingNode([
      'accepted',
      'resolving',
      'dispatched',
      'verifying',
      'awaiting_settlement',
      'completed',
    ]);
    try {
      const io = captureIo();
      const code = await runCli(argv('--api', api.url, 'task', 'watch', 'tsk_0001', '--interval', '0.01'), io);
      assert.equal(code, 0, io.err());
      const out = io.out();
      const order = ['accepted', 'resolving', 'dispatched', 'verifying', 'awaiting_settlement'].map((s) =>
        out.indexOf(`  ${s}`),
      );
      assert.ok(
        order.every((i) => i > 0),
        out,
      );
      assert.deepEqual(
        [...order].sort((a, b) => a - b),
        order,
        'in lifecycle order',
      );
      assert.match(out, /08:00:02\.000 .*dispatched/);
      assert.doesNotMatch(out, /to_completed/, 'stops at awaiting_settlement by default');
      assert.match(out, /epoch close/);
    } finally {
      await api.close();
    }
  });

  it('keeps going with --until completed', async () => {
    const api = await progressingNode(['verifying', 'awaiting_settlement', 'completed']);
    try {
      const io = captureIo();
      const code = await runCli(
        argv('--api', api.url, 'task', 'watch', 'tsk_0001', '--until', 'completed', '--interval', '0.01'),
        io,
      );
      assert.equal(code, 0);
      assert.match(io.out(), /completed/);
    } finally {
      await api.close();
    }
  });

  it('exits 1 when the task is rejected, with its reason', async () => {
    const api = await progressingNode(['accepted', 'resolving', 'rejected'], 'unknown_attribute');
    try {
      const io = captureIo();
      const code = await runCli(argv('--api', api.url, 'task', 'watch', 'tsk_0001', '--interval', '0.01'), io);
      assert.equal(code, 1);
      assert.match(io.out(), /tsk_0001 ended rejected \(reason: unknown_attribute\)/);
    } finally {
      await api.close();
    }
  });

  it('exits 1 after --timeout', async () => {
    const api = await progressingNode(['dispatched']);
    try {
      const io = captureIo();
      const code = await runCli(
        argv('--api', api.url, 'task', 'watch', 'tsk_0001', '--interval', '0.01', '--timeout', '0.1'),
        io,
      );
      assert.equal(code, 1);
      assert.match(io.err(), /timeout: tsk_0001 is still dispatched after/);
    } finally {
      await api.close();
    }
  });
});
