import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  canTransition,
  challengeLifecycle,
  fold,
  type ProtocolState,
  parseAmount,
  type StateMachine,
  settlementLifecycle,
  stateHash,
  taskLifecycle,
} from '../src/index.ts';
import { defaultParameters, fakeDigest, NetworkFixture } from './support/network-fixture.ts';

const TASKS = ['tsk_p0', 'tsk_p1', 'tsk_p2', 'tsk_p3'];
const VAULTS = ['vlt_a1', 'vlt_b1'];

/** One random step a participant might take, valid or not; `advance` usually takes the natural next step. */
const action = fc.oneof(
  { weight: 12, arbitrary: fc.record({ kind: fc.constant('advance' as const), task: fc.nat(3), choice: fc.nat(9) }) },
  fc.record({ kind: fc.constant('admit' as const), task: fc.nat(3), vault: fc.nat(1) }),
  fc.record({ kind: fc.constant('resolve' as const), task: fc.nat(3) }),
  fc.record({ kind: fc.constant('dispatch' as const), task: fc.nat(3), attempt: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ kind: fc.constant('receipt' as const), task: fc.nat(3), ok: fc.boolean() }),
  fc.record({
    kind: fc.constant('verify' as const),
    task: fc.nat(3),
    outcome: fc.constantFrom('accepted', 'rejected', 'challenged'),
  }),
  fc.record({ kind: fc.constant('timeout' as const), task: fc.nat(3), wait: fc.boolean() }),
  fc.record({ kind: fc.constant('challenge' as const), task: fc.nat(3), n: fc.nat(2) }),
  fc.record({ kind: fc.constant('adjudicate' as const), n: fc.nat(2), step: fc.nat(5) }),
  fc.record({ kind: fc.constant('close_epoch' as const) }),
  fc.record({ kind: fc.constant('sign' as const), master: fc.nat(2), honest: fc.boolean() }),
  fc.record({ kind: fc.constant('retry' as const) }),
);
type Action = typeof action extends fc.Arbitrary<infer A> ? A : never;

function run(net: NetworkFixture, a: Action): void {
  const s = net.state;
  const task_id = 'task' in a ? TASKS[a.task]! : '';
  const t = s.tasks[task_id];
  switch (a.kind) {
    case 'advance':
      advance(net, task_id, a.choice);
      return;
    case 'admit':
      net.admit(net.envelope(task_id, [VAULTS[a.vault]!]));
      return;
    case 'resolve':
      net.append({ type: 'task_resolution_started', task_id });
      return;
    case 'dispatch':
      if (t) net.dispatch(task_id, a.attempt);
      return;
    case 'receipt':
      if (t?.assignments) {
        net.append({
          type: 'execution_receipt_recorded',
          receipt: net.receipt(task_id, a.ok ? {} : { status: 'failed', failure_code: 'bad_input' }),
        });
      }
      return;
    case 'verify':
      if (t?.receipt_hash) {
        net.append({
          type: 'verification_decided',
          decision: net.decision(task_id, a.outcome, 1, a.outcome === 'accepted' ? undefined : 'mismatch'),
        });
      }
      return;
    case 'timeout':
      net.append({ type: 'task_timed_out', task_id }, { advance_ms: a.wait ? 700_000 : 1000 });
      return;
    case 'challenge':
      net.append({
        type: 'challenge_opened',
        challenge: {
          schema_version: 1,
          challenge_id: `chl_r${a.n}`,
          target: { kind: 'task', task_id },
          challenger: 'act_watcher',
          grounds: 'output_mismatch',
          bond: '500',
          evidence_hash: fakeDigest(`ev/${a.n}/${task_id}`),
        },
      });
      return;
    case 'adjudicate': {
      const challenge_id = Object.keys(s.challenges).sort()[a.n];
      if (!challenge_id) return;
      const steps = [
        { type: 'challenge_review_started' as const, challenge_id },
        {
          type: 'challenge_decided' as const,
          challenge_id,
          outcome: 'confirmed' as const,
          decision_hash: fakeDigest('c'),
        },
        {
          type: 'challenge_decided' as const,
          challenge_id,
          outcome: 'not_confirmed' as const,
          decision_hash: fakeDigest('n'),
        },
        { type: 'challenge_closed' as const, challenge_id, outcome: 'penalty_recorded' as const },
        { type: 'challenge_closed' as const, challenge_id, outcome: 'closed_without_penalty' as const },
        { type: 'challenge_reopened' as const, challenge_id, evidence_hash: fakeDigest(`new/${s.head?.seq}`) },
      ];
      net.append(steps[a.step]!);
      return;
    }
    case 'close_epoch':
      net.append({ type: 'epoch_closed', epoch_id: s.current_epoch, trigger: 'manual' });
      return;
    case 'sign': {
      const open = Object.values(s.settlements).find(
        (x) => x.candidate && (x.state === 'candidate_ready' || x.state === 'finalizing'),
      );
      if (!open?.candidate) return;
      const st = open.candidate.statement;
      net.sign(open.epoch_id, a.master, a.honest ? st : { ...st, rewards_root: fakeDigest(`bogus/${a.master}`) });
      return;
    }
    case 'retry': {
      const failed = Object.values(s.settlements).find((x) => x.state === 'failed');
      if (failed) net.append({ type: 'settlement_retried', epoch_id: failed.epoch_id });
      return;
    }
  }
}

/** The natural next event for a task (with `choice` picking the unhappy variants now and then). */
function advance(net: NetworkFixture, task_id: string, choice: number): void {
  const s = net.state;
  const t = s.tasks[task_id];
  if (!t) {
    net.admit(net.envelope(task_id, [VAULTS[choice % 2]!]));
    return;
  }
  switch (t.state) {
    case 'accepted':
      net.append({ type: 'task_resolution_started', task_id });
      return;
    case 'resolving':
      if (choice === 0) net.append({ type: 'task_resolution_failed', task_id, reason_code: 'unmapped_attribute' });
      else net.dispatch(task_id, 1);
      return;
    case 'dispatched':
      net.append({
        type: 'execution_receipt_recorded',
        receipt: net.receipt(task_id, choice === 0 ? { status: 'failed', failure_code: 'bad_input' } : {}),
      });
      return;
    case 'verifying': {
      const outcome = choice === 0 ? 'rejected' : choice === 1 ? 'challenged' : 'accepted';
      net.append({
        type: 'verification_decided',
        decision: net.decision(task_id, outcome, 1, outcome === 'accepted' ? undefined : 'mismatch'),
      });
      return;
    }
    case 'awaiting_settlement': {
      const settlement = s.settlements[t.settle_epoch!]!;
      if (choice < 2) {
        net.append({
          type: 'challenge_opened',
          challenge: {
            schema_version: 1,
            challenge_id: `chl_a${s.head!.seq}`,
            target: { kind: 'task', task_id },
            challenger: 'act_watcher',
            grounds: 'output_mismatch',
            bond: '500',
            evidence_hash: fakeDigest(`ev/${s.head!.seq}`),
          },
        });
      } else if (settlement.state === 'collecting') {
        net.append({ type: 'epoch_closed', epoch_id: s.current_epoch, trigger: 'manual' });
      } else if (settlement.candidate) {
        net.sign(settlement.epoch_id, choice % 3);
      } else if (settlement.state === 'failed') {
        net.append({ type: 'settlement_retried', epoch_id: settlement.epoch_id });
      }
      return;
    }
    case 'challenged': {
      const c = Object.values(s.challenges).find(
        (x) =>
          x.challenge.target.kind === 'task' &&
          x.challenge.target.task_id === task_id &&
          x.state !== 'penalty_recorded' &&
          x.state !== 'closed_without_penalty',
      );
      if (!c) return;
      const challenge_id = c.challenge.challenge_id;
      if (c.state === 'opened' || c.state === 'reopened')
        net.append({ type: 'challenge_review_started', challenge_id });
      else if (c.state === 'reviewing') {
        net.append({
          type: 'challenge_decided',
          challenge_id,
          outcome: choice % 2 ? 'confirmed' : 'not_confirmed',
          decision_hash: fakeDigest('d'),
        });
      } else if (c.state === 'confirmed')
        net.append({ type: 'challenge_closed', challenge_id, outcome: 'penalty_recorded' });
      else if (c.state === 'not_confirmed')
        net.append({ type: 'challenge_closed', challenge_id, outcome: 'closed_without_penalty' });
      return;
    }
    default:
      return;
  }
}

function assertHistoryFollows<S extends string>(
  machine: StateMachine<S>,
  history: readonly { state: S }[],
  what: string,
): void {
  assert.ok(machine.initial.includes(history[0]!.state), `${what} starts in ${history[0]!.state}`);
  for (let i = 1; i < history.length; i++) {
    const from = history[i - 1]!.state;
    const to = history[i]!.state;
    assert.ok(canTransition(machine, from, to), `${what}: ${from} -> ${to} is not an allowed transition`);
  }
}

function assertInvariants(state: ProtocolState): void {
  for (const t of Object.values(state.tasks)) {
    assertHistoryFollows(taskLifecycle, t.history, t.task_id);
    assert.equal(t.history[t.history.length - 1]!.state, t.state);
  }
  for (const c of Object.values(state.challenges))
    assertHistoryFollows(challengeLifecycle, c.history, c.challenge.challenge_id);
  for (const s of Object.values(state.settlements)) {
    assertHistoryFollows(settlementLifecycle, s.history, `settlement ${s.epoch_id}`);
    if (s.state !== 'finalized') continue;
    const fees = s.entries.reduce((sum, e) => sum + parseAmount(e.fee), 0n);
    const rewards = Object.values(state.rewards)
      .filter((r) => r.epoch_id === s.epoch_id && r.state === 'finalized')
      .reduce((sum, r) => sum + parseAmount(r.amount ?? '0'), 0n);
    assert.equal(rewards, fees, `epoch ${s.epoch_id}: finalized rewards equal fees`);
    for (const e of s.entries) assert.equal(state.tasks[e.task_id]!.state, 'completed');
  }
}

describe('reducer properties', () => {
  it('no sequence of events reaches a state outside the allowed transitions; replay is deterministic', () => {
    const reached = { finalized: 0, penalty: 0, failed: 0 };
    fc.assert(
      fc.property(fc.array(action, { minLength: 30, maxLength: 150 }), (actions) => {
        const net = new NetworkFixture()
          .genesis(defaultParameters())
          .enterpriseNode('node_ent-a', ['vlt_a1'])
          .enterpriseNode('node_ent-b', ['vlt_b1']);
        for (const a of actions) run(net, a);
        assertInvariants(net.state);
        const st = net.state;
        if (Object.values(st.settlements).some((x) => x.state === 'finalized')) reached.finalized++;
        if (Object.values(st.challenges).some((x) => x.state === 'penalty_recorded')) reached.penalty++;
        if (Object.values(st.settlements).some((x) => x.history.some((h) => h.state === 'failed'))) reached.failed++;
        const replay = fold(net.entries);
        assert.equal(replay.fatal, undefined);
        assert.equal(stateHash(replay.state), stateHash(net.state));
      }),
      { numRuns: 150 },
    );
    // The walk must reach the deep states, or the property says nothing about them.
    assert.ok(reached.finalized > 0 && reached.penalty > 0 && reached.failed > 0, JSON.stringify(reached));
  });

  it('a refused entry leaves the content of the state untouched', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 10, maxLength: 80 }), (actions) => {
        const net = new NetworkFixture()
          .genesis(defaultParameters())
          .enterpriseNode('node_ent-a', ['vlt_a1'])
          .enterpriseNode('node_ent-b', ['vlt_b1']);
        for (const a of actions) {
          const before = stateHash({ ...net.state, head: null, last_time_ms: 0, ignored: { count: 0 } });
          const count = net.outcomes.length;
          run(net, a);
          const outcome = net.outcomes[count];
          if (outcome?.kind === 'ignored') {
            assert.equal(stateHash({ ...net.state, head: null, last_time_ms: 0, ignored: { count: 0 } }), before);
          }
        }
      }),
      { numRuns: 60 },
    );
  });
});
