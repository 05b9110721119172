import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  CHALLENGE_STATES,
  canTransition,
  isInitial,
  isState,
  isTerminal,
  LIFECYCLES,
  nextStates,
  REWARD_STATES,
  SETTLEMENT_STATES,
  type StateMachine,
  TASK_STATES,
  type TransitionErrorCode,
  transition,
} from '../src/lifecycle/index.ts';

type Edge = readonly [string, string];
const edgesOf = (m: StateMachine<string>): string[] => m.transitions.map((t) => `${t.from}->${t.to}`);
const pairs = (list: readonly Edge[]): string[] => list.map(([f, t]) => `${f}->${t}`);

/** The transition sets decided for SCS, pinned so that any change to a lifecycle is deliberate. */
const EXPECTED: Record<keyof typeof LIFECYCLES, { initial: string[]; terminal: string[]; edges: Edge[] }> = {
  task: {
    initial: ['accepted'],
    terminal: ['completed', 'rejected', 'timed_out'],
    edges: [
      ['accepted', 'resolving'],
      ['accepted', 'timed_out'],
      ['resolving', 'dispatched'],
      ['resolving', 'rejected'],
      ['resolving', 'timed_out'],
      ['dispatched', 'verifying'],
      ['dispatched', 'rejected'],
      ['dispatched', 'timed_out'],
      ['verifying', 'awaiting_settlement'],
      ['verifying', 'rejected'],
      ['verifying', 'challenged'],
      ['verifying', 'timed_out'],
      ['awaiting_settlement', 'completed'],
      ['awaiting_settlement', 'challenged'],
      ['challenged', 'awaiting_settlement'],
      ['challenged', 'rejected'],
    ],
  },
  challenge: {
    initial: ['opened'],
    terminal: ['penalty_recorded'],
    edges: [
      ['opened', 'reviewing'],
      ['reviewing', 'confirmed'],
      ['reviewing', 'not_confirmed'],
      ['confirmed', 'approved'],
      ['confirmed', 'penalty_recorded'],
      ['confirmed', 'closed_without_penalty'],
      ['approved', 'penalty_recorded'],
      ['not_confirmed', 'closed_without_penalty'],
      ['closed_without_penalty', 'reopened'],
      ['reopened', 'reviewing'],
    ],
  },
  settlement: {
    initial: ['collecting'],
    terminal: ['finalized'],
    edges: [
      ['collecting', 'verifying_inputs'],
      ['verifying_inputs', 'candidate_ready'],
      ['candidate_ready', 'finalizing'],
      ['candidate_ready', 'verifying_inputs'],
      ['finalizing', 'finalized'],
      ['finalizing', 'verifying_inputs'],
      ['collecting', 'failed'],
      ['verifying_inputs', 'failed'],
      ['candidate_ready', 'failed'],
      ['finalizing', 'failed'],
      ['failed', 'verifying_inputs'],
    ],
  },
  reward: {
    initial: ['pending_input', 'adjusted'],
    terminal: ['finalized', 'adjusted'],
    edges: [
      ['pending_input', 'eligible'],
      ['pending_input', 'blocked'],
      ['eligible', 'calculated'],
      ['eligible', 'blocked'],
      ['calculated', 'finalized'],
      ['calculated', 'blocked'],
      ['calculated', 'eligible'],
      ['blocked', 'eligible'],
    ],
  },
};

const machines = Object.entries(LIFECYCLES) as [keyof typeof LIFECYCLES, StateMachine<string>][];

describe('lifecycle state lists', () => {
  it('keep the exact SCP names and order', () => {
    assert.deepEqual(TASK_STATES, [
      'accepted',
      'resolving',
      'dispatched',
      'verifying',
      'awaiting_settlement',
      'completed',
      'challenged',
      'rejected',
      'timed_out',
    ]);
    assert.deepEqual(CHALLENGE_STATES, [
      'opened',
      'reviewing',
      'confirmed',
      'not_confirmed',
      'approved',
      'closed_without_penalty',
      'penalty_recorded',
      'reopened',
    ]);
    assert.deepEqual(SETTLEMENT_STATES, [
      'collecting',
      'verifying_inputs',
      'candidate_ready',
      'finalizing',
      'finalized',
      'failed',
    ]);
    assert.deepEqual(REWARD_STATES, ['pending_input', 'eligible', 'calculated', 'finalized', 'blocked', 'adjusted']);
  });

  it('are the states of the machines, which carry their own names', () => {
    assert.deepEqual(LIFECYCLES.task.states, TASK_STATES);
    assert.deepEqual(LIFECYCLES.challenge.states, CHALLENGE_STATES);
    assert.deepEqual(LIFECYCLES.settlement.states, SETTLEMENT_STATES);
    assert.deepEqual(LIFECYCLES.reward.states, REWARD_STATES);
    for (const [name, m] of machines) assert.equal(m.name, name);
    assert.deepEqual(Object.keys(LIFECYCLES), ['task', 'challenge', 'settlement', 'reward']);
  });

  it('are frozen', () => {
    for (const [, m] of machines) {
      assert.ok(Object.isFrozen(m) && Object.isFrozen(m.states) && Object.isFrozen(m.transitions));
      assert.ok(m.transitions.every((t) => Object.isFrozen(t)));
    }
  });
});

for (const [name, m] of machines) {
  const expected = EXPECTED[name];
  describe(`${name} lifecycle`, () => {
    it('has exactly the decided initial states, terminal states and transitions', () => {
      assert.deepEqual(m.initial, expected.initial);
      assert.deepEqual(m.terminal, expected.terminal);
      assert.deepEqual(edgesOf(m), pairs(expected.edges));
      assert.ok(m.initial.every((s) => isInitial(m, s)));
      assert.ok(m.transitions.every((t) => t.reason.trim().length > 0 && !t.reason.includes('\n')));
    });

    it('accepts every listed transition', () => {
      for (const [from, to] of expected.edges) {
        assert.deepEqual(transition(m, from, to), { ok: true, from, to }, `${from} -> ${to}`);
        assert.equal(canTransition(m, from, to), true);
        assert.ok(nextStates(m, from).includes(to));
      }
    });

    it('refuses every other pair of its states with the right code', () => {
      const allowed = new Set(pairs(expected.edges));
      for (const from of m.states) {
        for (const to of m.states) {
          const outcome = transition(m, from, to);
          if (allowed.has(`${from}->${to}`)) continue;
          assert.equal(outcome.ok, false, `${from} -> ${to}`);
          if (outcome.ok) continue;
          assert.equal(outcome.code, isTerminal(m, from) ? 'terminal_state' : 'illegal_transition');
          assert.equal(canTransition(m, from, to), false);
        }
      }
    });

    it('has no exit from a terminal state', () => {
      for (const s of m.terminal) {
        assert.deepEqual(nextStates(m, s), []);
        assert.ok(m.transitions.every((t) => t.from !== s));
      }
      for (const s of m.states) assert.equal(nextStates(m, s).length === 0, isTerminal(m, s), s);
    });

    it('lists next states in declaration order', () => {
      for (const s of m.states) {
        assert.deepEqual(
          nextStates(m, s),
          m.transitions.filter((t) => t.from === s).map((t) => t.to),
        );
      }
    });
  });
}

describe('illegal moves', () => {
  const cases: { machine: StateMachine<string>; from: string; to: string; code: TransitionErrorCode }[] = [
    // out of terminal states
    { machine: LIFECYCLES.task, from: 'completed', to: 'challenged', code: 'terminal_state' },
    { machine: LIFECYCLES.task, from: 'completed', to: 'awaiting_settlement', code: 'terminal_state' },
    { machine: LIFECYCLES.task, from: 'rejected', to: 'accepted', code: 'terminal_state' },
    { machine: LIFECYCLES.task, from: 'timed_out', to: 'resolving', code: 'terminal_state' },
    { machine: LIFECYCLES.task, from: 'timed_out', to: 'timed_out', code: 'terminal_state' },
    { machine: LIFECYCLES.challenge, from: 'penalty_recorded', to: 'reopened', code: 'terminal_state' },
    { machine: LIFECYCLES.settlement, from: 'finalized', to: 'verifying_inputs', code: 'terminal_state' },
    { machine: LIFECYCLES.settlement, from: 'finalized', to: 'failed', code: 'terminal_state' },
    { machine: LIFECYCLES.reward, from: 'finalized', to: 'adjusted', code: 'terminal_state' },
    { machine: LIFECYCLES.reward, from: 'finalized', to: 'blocked', code: 'terminal_state' },
    { machine: LIFECYCLES.reward, from: 'adjusted', to: 'eligible', code: 'terminal_state' },
    // names outside the machine, including another lifecycle's states and object-prototype keys
    { machine: LIFECYCLES.task, from: 'accepted', to: 'finalized', code: 'unknown_state' },
    { machine: LIFECYCLES.task, from: 'opened', to: 'reviewing', code: 'unknown_state' },
    { machine: LIFECYCLES.task, from: 'Accepted', to: 'resolving', code: 'unknown_state' },
    { machine: LIFECYCLES.task, from: 'accepted ', to: 'resolving', code: 'unknown_state' },
    { machine: LIFECYCLES.task, from: '', to: 'resolving', code: 'unknown_state' },
    { machine: LIFECYCLES.task, from: 'completed', to: 'nowhere', code: 'unknown_state' },
    { machine: LIFECYCLES.challenge, from: '__proto__', to: 'reviewing', code: 'unknown_state' },
    { machine: LIFECYCLES.challenge, from: 'opened', to: 'constructor', code: 'unknown_state' },
    { machine: LIFECYCLES.settlement, from: 'toString', to: 'hasOwnProperty', code: 'unknown_state' },
    { machine: LIFECYCLES.reward, from: 'pending_input', to: 'calculating', code: 'unknown_state' },
    // listed states, move not listed
    { machine: LIFECYCLES.task, from: 'accepted', to: 'dispatched', code: 'illegal_transition' },
    { machine: LIFECYCLES.task, from: 'accepted', to: 'rejected', code: 'illegal_transition' },
    { machine: LIFECYCLES.task, from: 'resolving', to: 'accepted', code: 'illegal_transition' },
    { machine: LIFECYCLES.task, from: 'dispatched', to: 'dispatched', code: 'illegal_transition' },
    { machine: LIFECYCLES.task, from: 'dispatched', to: 'challenged', code: 'illegal_transition' },
    { machine: LIFECYCLES.task, from: 'verifying', to: 'completed', code: 'illegal_transition' },
    { machine: LIFECYCLES.task, from: 'awaiting_settlement', to: 'timed_out', code: 'illegal_transition' },
    { machine: LIFECYCLES.task, from: 'awaiting_settlement', to: 'rejected', code: 'illegal_transition' },
    { machine: LIFECYCLES.task, from: 'challenged', to: 'completed', code: 'illegal_transition' },
    { machine: LIFECYCLES.task, from: 'challenged', to: 'timed_out', code: 'illegal_transition' },
    { machine: LIFECYCLES.challenge, from: 'opened', to: 'confirmed', code: 'illegal_transition' },
    { machine: LIFECYCLES.challenge, from: 'not_confirmed', to: 'approved', code: 'illegal_transition' },
    { machine: LIFECYCLES.challenge, from: 'not_confirmed', to: 'penalty_recorded', code: 'illegal_transition' },
    { machine: LIFECYCLES.challenge, from: 'approved', to: 'closed_without_penalty', code: 'illegal_transition' },
    { machine: LIFECYCLES.challenge, from: 'closed_without_penalty', to: 'reviewing', code: 'illegal_transition' },
    { machine: LIFECYCLES.challenge, from: 'reopened', to: 'confirmed', code: 'illegal_transition' },
    { machine: LIFECYCLES.settlement, from: 'collecting', to: 'candidate_ready', code: 'illegal_transition' },
    { machine: LIFECYCLES.settlement, from: 'candidate_ready', to: 'finalized', code: 'illegal_transition' },
    { machine: LIFECYCLES.settlement, from: 'finalizing', to: 'candidate_ready', code: 'illegal_transition' },
    { machine: LIFECYCLES.settlement, from: 'failed', to: 'finalized', code: 'illegal_transition' },
    { machine: LIFECYCLES.settlement, from: 'failed', to: 'collecting', code: 'illegal_transition' },
    { machine: LIFECYCLES.reward, from: 'pending_input', to: 'calculated', code: 'illegal_transition' },
    { machine: LIFECYCLES.reward, from: 'pending_input', to: 'adjusted', code: 'illegal_transition' },
    { machine: LIFECYCLES.reward, from: 'eligible', to: 'finalized', code: 'illegal_transition' },
    { machine: LIFECYCLES.reward, from: 'blocked', to: 'finalized', code: 'illegal_transition' },
    { machine: LIFECYCLES.reward, from: 'blocked', to: 'calculated', code: 'illegal_transition' },
    { machine: LIFECYCLES.reward, from: 'calculated', to: 'adjusted', code: 'illegal_transition' },
  ];

  for (const { machine, from, to, code } of cases) {
    it(`${machine.name}: ${JSON.stringify(from)} -> ${JSON.stringify(to)} is ${code}`, () => {
      let outcome: ReturnType<typeof transition> | undefined;
      assert.doesNotThrow(() => {
        outcome = transition(machine, from, to);
      });
      assert.ok(outcome !== undefined && !outcome.ok);
      assert.equal(outcome.code, code);
      assert.equal(outcome.from, from);
      assert.equal(outcome.to, to);
      assert.ok(outcome.message.startsWith(`${machine.name}: `));
      assert.equal(canTransition(machine, from, to), false);
    });
  }

  it('reports an unknown name before a terminal source', () => {
    const outcome = transition(LIFECYCLES.task, 'completed', 'archived');
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.code, 'unknown_state');
  });

  it('quotes untrusted names in messages, escaped and truncated', () => {
    const hostile = `x\n\u0000${'y'.repeat(500)}`;
    const outcome = transition(LIFECYCLES.task, hostile, 'resolving');
    assert.ok(!outcome.ok);
    assert.ok(!outcome.message.includes('\n'));
    assert.ok(outcome.message.length < 120);
    assert.equal(outcome.from, hostile);
  });

  it('gives unknown names no next states and no terminal or state status', () => {
    for (const [, m] of machines) {
      for (const s of ['__proto__', 'constructor', 'toString', '', 'unknown']) {
        assert.deepEqual(nextStates(m, s), []);
        assert.equal(isTerminal(m, s), false);
        assert.equal(isState(m, s), false);
        assert.equal(isInitial(m, s), false);
      }
    }
  });
});
