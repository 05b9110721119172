import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  canTransition,
  defineMachine,
  isTerminal,
  LIFECYCLES,
  MachineDefinitionError,
  nextStates,
  type StateMachine,
  type Transition,
  transition,
} from '../src/lifecycle/index.ts';

const machines = Object.values(LIFECYCLES) as StateMachine<string>[];

/** Targets for attempted moves: the machine's states, other lifecycles' states and arbitrary strings. */
function targetArb(m: StateMachine<string>): fc.Arbitrary<string> {
  const everyState = [...new Set(machines.flatMap((x) => x.states))];
  return fc.oneof(
    { weight: 6, arbitrary: fc.constantFrom(...m.states) },
    { weight: 1, arbitrary: fc.constantFrom(...everyState) },
    { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', ' ') },
    { weight: 1, arbitrary: fc.string({ maxLength: 24 }) },
  );
}

describe('lifecycle properties', () => {
  for (const m of machines) {
    const edges = new Set(m.transitions.map((t) => `${t.from}\u0000${t.to}`));
    const states = new Set<string>(m.states);

    it(`${m.name}: random move sequences stay inside the machine and stop at terminal states`, () => {
      fc.assert(
        fc.property(fc.constantFrom(...m.initial), fc.array(targetArb(m), { maxLength: 60 }), (start, targets) => {
          let state: string = start;
          let terminalSeen = isTerminal(m, state);
          for (const to of targets) {
            const outcome = transition(m, state, to);
            assert.equal(canTransition(m, state, to), outcome.ok);
            assert.equal(nextStates(m, state).includes(to as never), outcome.ok);
            if (outcome.ok) {
              assert.ok(!terminalSeen, `moved out of terminal state ${state}`);
              assert.ok(edges.has(`${outcome.from}\u0000${outcome.to}`));
              assert.equal(outcome.from, state);
              assert.equal(outcome.to, to);
              state = outcome.to;
            } else {
              assert.equal(outcome.from, state);
              assert.equal(outcome.to, to);
              const expected = !states.has(to)
                ? 'unknown_state'
                : isTerminal(m, state)
                  ? 'terminal_state'
                  : 'illegal_transition';
              assert.equal(outcome.code, expected);
              assert.ok(!edges.has(`${state}\u0000${to}`));
            }
            assert.ok(states.has(state));
            terminalSeen ||= isTerminal(m, state);
          }
        }),
        { numRuns: 500 },
      );
    });

    it(`${m.name}: transition never throws and matches the listed edges for any pair of strings`, () => {
      fc.assert(
        fc.property(targetArb(m), targetArb(m), (from, to) => {
          const outcome = transition(m, from, to);
          assert.equal(outcome.ok, edges.has(`${from}\u0000${to}`));
          if (!outcome.ok && (!states.has(from) || !states.has(to))) assert.equal(outcome.code, 'unknown_state');
        }),
        { numRuns: 1000 },
      );
    });

    it(`${m.name}: a random walk never gets stuck on a non-terminal state`, () => {
      fc.assert(
        fc.property(fc.constantFrom(...m.states), fc.array(fc.nat(), { maxLength: 64 }), (start, picks) => {
          let state = start;
          for (const pick of picks) {
            const next = nextStates(m, state);
            assert.equal(next.length === 0, isTerminal(m, state));
            if (next.length === 0) return;
            state = next[pick % next.length] ?? state;
          }
        }),
      );
    });

    it(`${m.name}: every state is reachable from an initial state and can reach a terminal state`, () => {
      const closure = (start: readonly string[], step: (s: string) => readonly string[]): Set<string> => {
        const seen = new Set(start);
        const queue = [...start];
        while (queue.length > 0)
          for (const n of step(queue.shift() ?? '')) if (!seen.has(n)) seen.add(n) && queue.push(n);
        return seen;
      };
      assert.deepEqual([...closure(m.initial, (s) => nextStates(m, s))].sort(), [...m.states].sort());
      const backward = (s: string) => m.transitions.filter((t) => t.to === s).map((t) => t.from);
      assert.deepEqual([...closure(m.terminal, backward)].sort(), [...m.states].sort());
    });
  }
});

type Spec = {
  name: StateMachine<string>['name'];
  states: string[];
  initial: string[];
  terminal: string[];
  transitions: Transition<string>[];
};

const clone = (m: StateMachine<string>): Spec => ({
  name: m.name,
  states: [...m.states],
  initial: [...m.initial],
  terminal: [...m.terminal],
  transitions: m.transitions.map((t) => ({ ...t })),
});

function rejects(spec: Spec, pattern: RegExp): void {
  assert.throws(
    () => defineMachine<string>(spec),
    (error: unknown) => {
      assert.ok(error instanceof MachineDefinitionError);
      assert.equal(error.code, 'invalid_machine_definition');
      assert.ok(
        error.problems.some((p) => pattern.test(p)),
        `expected a problem matching ${pattern}, got ${error.problems.join(' | ')}`,
      );
      return true;
    },
  );
}

describe('defineMachine', () => {
  it('accepts the four SCP lifecycles as data', () => {
    for (const m of machines) assert.deepEqual(defineMachine<string>(clone(m)), m);
  });

  it('rejects an unreachable state', () => {
    const spec = clone(LIFECYCLES.task);
    spec.transitions = spec.transitions.filter((t) => t.to !== 'challenged');
    rejects(spec, /unreachable.*"challenged"/);
    const settlement = clone(LIFECYCLES.settlement);
    settlement.states.push('archived');
    settlement.terminal.push('archived');
    rejects(settlement, /unreachable.*"archived"/);
  });

  it('rejects a terminal state with an exit', () => {
    const spec = clone(LIFECYCLES.task);
    spec.transitions.push({ from: 'completed', to: 'challenged', reason: 'A late challenge.' });
    rejects(spec, /terminal state "completed" has an exit/);
  });

  it('rejects a non-terminal state that cannot reach a terminal state', () => {
    const spec = clone(LIFECYCLES.challenge);
    spec.transitions = spec.transitions.filter((t) => t.from !== 'approved');
    rejects(spec, /cannot reach a terminal state: "approved"/);
    const cycle = clone(LIFECYCLES.reward);
    cycle.transitions = cycle.transitions.filter((t) => t.to !== 'finalized');
    rejects(cycle, /cannot reach a terminal state: "pending_input", "eligible", "calculated", "blocked"/);
  });

  it('rejects a transition naming an unknown state', () => {
    const spec = clone(LIFECYCLES.settlement);
    spec.transitions.push({ from: 'finalizing', to: 'anchored', reason: 'Anchored on chain.' });
    rejects(spec, /"finalizing" -> "anchored" names a state not in states/);
    const from = clone(LIFECYCLES.settlement);
    from.transitions.push({ from: 'ghost', to: 'failed', reason: 'Nothing.' });
    rejects(from, /"ghost" -> "failed" names a state not in states/);
  });

  it('rejects duplicate edges, duplicate states, self-loops and missing reasons', () => {
    const dupEdge = clone(LIFECYCLES.reward);
    dupEdge.transitions.push({ from: 'blocked', to: 'eligible', reason: 'Again.' });
    rejects(dupEdge, /duplicate transition "blocked" -> "eligible"/);
    const dupState = clone(LIFECYCLES.reward);
    dupState.states.push('eligible');
    rejects(dupState, /duplicate states: "eligible"/);
    const loop = clone(LIFECYCLES.task);
    loop.transitions.push({ from: 'dispatched', to: 'dispatched', reason: 'Re-dispatch.' });
    rejects(loop, /does not change state/);
    const silent = clone(LIFECYCLES.task);
    silent.transitions[0] = { from: 'accepted', to: 'resolving', reason: '  ' };
    rejects(silent, /has no reason/);
  });

  it('rejects initial and terminal states outside the machine, and a machine without an initial state', () => {
    const initial = clone(LIFECYCLES.task);
    initial.initial.push('draft');
    rejects(initial, /initial states not in states: "draft"/);
    const terminal = clone(LIFECYCLES.task);
    terminal.terminal.push('archived');
    rejects(terminal, /terminal states not in states: "archived"/);
    const none = clone(LIFECYCLES.task);
    none.initial = [];
    rejects(none, /no initial state/);
    const name = clone(LIFECYCLES.task) as unknown as Spec;
    (name as { name: string }).name = 'payout';
    rejects(name, /unknown lifecycle name "payout"/);
  });

  it('accepts exactly the random machines an independent reference validator accepts', () => {
    const names = ['a', 'b', 'c', 'd', 'e', 'f'];
    type RandomSpec = { states: string[]; initial: string[]; terminal: string[]; transitions: Transition<string>[] };
    // Free-form machines: mostly well-formed names, reasons and edges, mostly invalid graphs.
    const freeArb: fc.Arbitrary<RandomSpec> = fc.integer({ min: 1, max: names.length }).chain((n) => {
      const states = names.slice(0, n);
      const any = fc.oneof(
        { weight: 15, arbitrary: fc.constantFrom(...states) },
        { weight: 1, arbitrary: fc.constant('zz') },
      );
      const reason = fc.oneof(
        { weight: 30, arbitrary: fc.constant('Because.') },
        { weight: 1, arbitrary: fc.constant(' ') },
      );
      const edges = fc.uniqueArray(fc.record({ from: any, to: any, reason }), {
        maxLength: 2 * n,
        selector: (t) => `${t.from}>${t.to}`,
      });
      return fc.record({
        states: fc.constant(states),
        initial: fc.uniqueArray(any, { minLength: 1, maxLength: 2 }),
        terminal: fc.uniqueArray(any, { maxLength: 2 }),
        // now and then repeat the first edge, to cover duplicate detection
        transitions: fc
          .tuple(edges, fc.nat(15))
          .map(([list, k]) => (k === 0 && list[0] !== undefined ? [...list, { ...list[0] }] : list)),
      });
    });
    // Near-valid machines: a chain a -> ... -> last with random extra edges, then at most one random defect.
    const nearArb: fc.Arbitrary<RandomSpec> = fc
      .record({
        n: fc.integer({ min: 2, max: names.length }),
        extra: fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 6 }),
        defect: fc.nat(7),
        at: fc.nat(),
      })
      .map(({ n, extra, defect, at }) => {
        const states = names.slice(0, n);
        const last = states[n - 1] ?? '';
        const transitions: Transition<string>[] = [];
        const add = (from: string, to: string): void => {
          if (from !== to && !transitions.some((t) => t.from === from && t.to === to)) {
            transitions.push({ from, to, reason: 'Because.' });
          }
        };
        for (let i = 0; i + 1 < n; i++) add(states[i] ?? '', states[i + 1] ?? '');
        for (const [x, y] of extra) add(states[x % (n - 1)] ?? '', states[y % n] ?? '');
        const spec: RandomSpec = { states, initial: ['a'], terminal: [last], transitions };
        const pick = transitions[at % transitions.length];
        if (defect === 1 && pick) transitions.splice(at % transitions.length, 1); // may strand a state
        if (defect === 2) transitions.push({ from: last, to: 'a', reason: 'Back.' }); // terminal exit
        if (defect === 3 && pick) transitions.push({ ...pick }); // duplicate
        if (defect === 4) transitions.push({ from: states[at % n] ?? '', to: 'zz', reason: 'Out.' }); // unknown state
        if (defect === 5) spec.terminal = states.filter((s) => s !== last && s !== 'a').slice(0, 1); // may leave dead ends
        return spec;
      });
    const specArb = fc.oneof(freeArb, nearArb);
    let valid = 0;
    fc.assert(
      fc.property(specArb, (spec) => {
        const expected = referenceValid(spec);
        if (expected) valid++;
        let accepted = true;
        try {
          defineMachine<string>({ name: 'task', ...spec });
        } catch (error) {
          assert.ok(error instanceof MachineDefinitionError);
          accepted = false;
        }
        assert.equal(accepted, expected);
      }),
      { numRuns: 3000 },
    );
    assert.ok(valid > 300, `the generator produced only ${valid} valid machines`);
  });

  it('accepts every machine built as a chain with extra edges between non-terminal states', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.array(fc.tuple(fc.nat(), fc.nat())), (n, extra) => {
        const states = Array.from({ length: n }, (_, i) => `s${i}`);
        const chain = states.slice(1).map((to, i) => ({ from: `s${i}`, to, reason: 'Next.' }));
        const seen = new Set(chain.map((t) => `${t.from}>${t.to}`));
        const more: Transition<string>[] = [];
        for (const [x, y] of extra) {
          const from = `s${x % (n - 1)}`;
          const to = `s${y % n}`;
          if (from === to || seen.has(`${from}>${to}`)) continue;
          seen.add(`${from}>${to}`);
          more.push({ from, to, reason: 'Extra.' });
        }
        const m = defineMachine<string>({
          name: 'reward',
          states,
          initial: ['s0'],
          terminal: [`s${n - 1}`],
          transitions: [...chain, ...more],
        });
        for (const t of m.transitions) assert.ok(transition(m, t.from, t.to).ok);
      }),
    );
  });
});

/** Independent check by transitive closure (Warshall), for comparison with `defineMachine`. */
function referenceValid(spec: {
  states: string[];
  initial: string[];
  terminal: string[];
  transitions: Transition<string>[];
}): boolean {
  const n = spec.states.length;
  const at = (s: string): number => spec.states.indexOf(s);
  if (spec.initial.length === 0) return false;
  if ([...spec.initial, ...spec.terminal].some((s) => at(s) < 0)) return false;
  const r: boolean[][] = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => i === j));
  const keys = new Set<string>();
  for (const t of spec.transitions) {
    const i = at(t.from);
    const j = at(t.to);
    if (i < 0 || j < 0 || i === j || t.reason.trim() === '' || spec.terminal.includes(t.from)) return false;
    const key = `${i}>${j}`;
    if (keys.has(key)) return false;
    keys.add(key);
    r[i]![j] = true;
  }
  for (let k = 0; k < n; k++)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) if (r[i]![k] && r[k]![j]) r[i]![j] = true;
  for (let j = 0; j < n; j++) if (!spec.initial.some((s) => r[at(s)]![j])) return false;
  for (let i = 0; i < n; i++) if (!spec.terminal.some((s) => r[i]![at(s)])) return false;
  return true;
}
