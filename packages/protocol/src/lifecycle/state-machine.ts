/**
 * Lifecycles as data: a generic finite state machine described by its states and allowed moves,
 * validated once when it is defined, and pure transition functions over it. Nothing here throws
 * while moving between states; illegal moves are reported as tagged outcomes.
 */

/** The four SCP lifecycles. */
export const MACHINE_NAMES = ['task', 'challenge', 'settlement', 'reward'] as const;
/** Name of one SCP lifecycle. */
export type MachineName = (typeof MACHINE_NAMES)[number];

/** One allowed move. `reason` says in one sentence why the move exists (rendered into the docs). */
export type Transition<S extends string> = { readonly from: S; readonly to: S; readonly reason: string };

/** A lifecycle as data. Treat machines as immutable: `defineMachine` returns frozen ones. */
export type StateMachine<S extends string> = {
  readonly name: MachineName;
  /** Every state, in the exact SCP order. */
  readonly states: readonly S[];
  /** States a new object may start in. */
  readonly initial: readonly S[];
  /** States with no outgoing transition. */
  readonly terminal: readonly S[];
  readonly transitions: readonly Transition<S>[];
};

/** Why a move was refused. */
export const TRANSITION_ERROR_CODES = ['unknown_state', 'terminal_state', 'illegal_transition'] as const;
/** Why a move was refused: a name outside the machine, a move out of a terminal state, or a move not listed. */
export type TransitionErrorCode = (typeof TRANSITION_ERROR_CODES)[number];

/** Result of attempting a move. On refusal `from`/`to` echo the input as given. */
export type TransitionOutcome<S extends string> =
  | { readonly ok: true; readonly from: S; readonly to: S }
  | {
      readonly ok: false;
      readonly from: string;
      readonly to: string;
      readonly code: TransitionErrorCode;
      readonly message: string;
    };

/** Thrown by `defineMachine` when the machine data is inconsistent; lists every problem found. */
export class MachineDefinitionError extends Error {
  /** Stable error code. */
  readonly code = 'invalid_machine_definition' as const;
  /** One line per problem, in a deterministic order. */
  readonly problems: readonly string[];

  constructor(name: string, problems: readonly string[]) {
    super(`invalid ${name} lifecycle: ${problems.join('; ')}`);
    this.name = 'MachineDefinitionError';
    this.problems = problems;
  }
}

type Index = {
  readonly states: ReadonlySet<string>;
  readonly terminal: ReadonlySet<string>;
  /** from -> targets in declaration order; every state has an entry. */
  readonly next: ReadonlyMap<string, readonly string[]>;
  /** from -> set of targets, for O(1) membership. */
  readonly edges: ReadonlyMap<string, ReadonlySet<string>>;
};

// Maps (not plain objects) so that names such as `__proto__` or `constructor` are ordinary unknown states.
const indexes = new WeakMap<StateMachine<string>, Index>();

function buildIndex(machine: StateMachine<string>): Index {
  const next = new Map<string, string[]>();
  const edges = new Map<string, Set<string>>();
  for (const s of machine.states) {
    next.set(s, []);
    edges.set(s, new Set());
  }
  for (const t of machine.transitions) {
    const targets = edges.get(t.from);
    if (targets === undefined || targets.has(t.to)) continue;
    targets.add(t.to);
    next.get(t.from)?.push(t.to);
  }
  for (const list of next.values()) Object.freeze(list);
  return { states: new Set(machine.states), terminal: new Set(machine.terminal), next, edges };
}

function indexOf(machine: StateMachine<string>): Index {
  let index = indexes.get(machine);
  if (index === undefined) {
    index = buildIndex(machine);
    indexes.set(machine, index);
  }
  return index;
}

const MAX_NAME_IN_MESSAGE = 64;

/** Quotes an untrusted name for a message: JSON-escaped and truncated. */
function quote(name: string): string {
  return JSON.stringify(name.length > MAX_NAME_IN_MESSAGE ? `${name.slice(0, MAX_NAME_IN_MESSAGE)}...` : name);
}

/**
 * Attempts the move `from -> to`. Never throws. Checks, in this order: both names are states of the
 * machine (`unknown_state`), `from` is not terminal (`terminal_state`), the move is listed
 * (`illegal_transition`). O(1) after the machine's first use.
 */
export function transition<S extends string>(machine: StateMachine<S>, from: string, to: string): TransitionOutcome<S> {
  const index = indexOf(machine);
  const refuse = (code: TransitionErrorCode, message: string): TransitionOutcome<S> => ({
    ok: false,
    from,
    to,
    code,
    message,
  });
  if (!index.states.has(from)) {
    return refuse('unknown_state', `${machine.name}: ${quote(from)} is not a ${machine.name} state`);
  }
  if (!index.states.has(to)) {
    return refuse('unknown_state', `${machine.name}: ${quote(to)} is not a ${machine.name} state`);
  }
  if (index.terminal.has(from)) {
    return refuse('terminal_state', `${machine.name}: ${quote(from)} is terminal; cannot move to ${quote(to)}`);
  }
  if (!index.edges.get(from)?.has(to)) {
    return refuse('illegal_transition', `${machine.name}: no transition from ${quote(from)} to ${quote(to)}`);
  }
  return { ok: true, from: from as S, to: to as S };
}

/** Whether `from -> to` is an allowed move of the machine. Never throws. */
export function canTransition<S extends string>(machine: StateMachine<S>, from: string, to: string): boolean {
  return indexOf(machine).edges.get(from)?.has(to) === true;
}

/** The states reachable in one move from `from`, in declaration order; empty for terminal or unknown states. */
export function nextStates<S extends string>(machine: StateMachine<S>, from: string): readonly S[] {
  return (indexOf(machine).next.get(from) ?? []) as readonly S[];
}

/** Whether `state` is a terminal state of the machine (false for names outside the machine). */
export function isTerminal<S extends string>(machine: StateMachine<S>, state: string): boolean {
  return indexOf(machine).terminal.has(state);
}

/** Whether `state` names a state of the machine. */
export function isState<S extends string>(machine: StateMachine<S>, state: string): state is S {
  return indexOf(machine).states.has(state);
}

/** Whether a new object of this lifecycle may start in `state`. */
export function isInitial<S extends string>(machine: StateMachine<S>, state: string): boolean {
  return machine.initial.includes(state as S);
}

/** States reachable from `start` by following `adjacency` (breadth first). */
function reach(start: readonly string[], adjacency: ReadonlyMap<string, readonly string[]>): Set<string> {
  const seen = new Set(start);
  const queue = [...start];
  for (let i = 0; i < queue.length; i++) {
    for (const n of adjacency.get(queue[i] ?? '') ?? []) {
      if (!seen.has(n)) {
        seen.add(n);
        queue.push(n);
      }
    }
  }
  return seen;
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>();
  const dup = new Set<string>();
  for (const v of values) (seen.has(v) ? dup : seen).add(v);
  return [...dup];
}

/** Every consistency problem of a machine's data; empty when it is well formed. */
export function machineProblems(machine: StateMachine<string>): string[] {
  const problems: string[] = [];
  const list = (names: readonly string[]): string => names.map((n) => JSON.stringify(n)).join(', ');
  if (!(MACHINE_NAMES as readonly string[]).includes(machine.name)) {
    problems.push(`unknown lifecycle name ${JSON.stringify(machine.name)}`);
  }
  if (machine.states.length === 0) problems.push('no states');
  const badNames = machine.states.filter((s) => typeof s !== 'string' || s.length === 0);
  if (badNames.length > 0) problems.push('a state name is empty or not a string');
  const dupStates = duplicates(machine.states);
  if (dupStates.length > 0) problems.push(`duplicate states: ${list(dupStates)}`);

  const states = new Set(machine.states);
  if (machine.initial.length === 0) problems.push('no initial state');
  const strayInitial = machine.initial.filter((s) => !states.has(s));
  if (strayInitial.length > 0) problems.push(`initial states not in states: ${list(strayInitial)}`);
  const dupInitial = duplicates(machine.initial);
  if (dupInitial.length > 0) problems.push(`duplicate initial states: ${list(dupInitial)}`);
  const strayTerminal = machine.terminal.filter((s) => !states.has(s));
  if (strayTerminal.length > 0) problems.push(`terminal states not in states: ${list(strayTerminal)}`);
  const dupTerminal = duplicates(machine.terminal);
  if (dupTerminal.length > 0) problems.push(`duplicate terminal states: ${list(dupTerminal)}`);

  const terminal = new Set(machine.terminal);
  const forward = new Map<string, string[]>();
  const backward = new Map<string, string[]>();
  const seenEdges = new Set<string>();
  for (const t of machine.transitions) {
    const edge = `${JSON.stringify(t.from)} -> ${JSON.stringify(t.to)}`;
    if (!states.has(t.from) || !states.has(t.to)) {
      problems.push(`transition ${edge} names a state not in states`);
      continue;
    }
    if (t.from === t.to) problems.push(`transition ${edge} does not change state`);
    if (terminal.has(t.from)) problems.push(`terminal state ${JSON.stringify(t.from)} has an exit: ${edge}`);
    if (typeof t.reason !== 'string' || t.reason.trim().length === 0) problems.push(`transition ${edge} has no reason`);
    if (seenEdges.has(edge)) {
      problems.push(`duplicate transition ${edge}`);
      continue;
    }
    seenEdges.add(edge);
    forward.set(t.from, [...(forward.get(t.from) ?? []), t.to]);
    backward.set(t.to, [...(backward.get(t.to) ?? []), t.from]);
  }

  const reachable = reach(
    machine.initial.filter((s) => states.has(s)),
    forward,
  );
  const unreachable = machine.states.filter((s) => !reachable.has(s));
  if (unreachable.length > 0) problems.push(`states unreachable from an initial state: ${list(unreachable)}`);
  const canFinish = reach(
    machine.terminal.filter((s) => states.has(s)),
    backward,
  );
  const deadEnds = machine.states.filter((s) => !terminal.has(s) && !canFinish.has(s));
  if (deadEnds.length > 0) problems.push(`non-terminal states that cannot reach a terminal state: ${list(deadEnds)}`);
  return problems;
}

/**
 * Builds a lifecycle from its data, checks it and returns a frozen copy with its adjacency index
 * precomputed. Throws `MachineDefinitionError` (at module load, for the SCP lifecycles) when a state
 * is named twice or not at all, initial or terminal states are not states, a terminal state has an
 * exit, a transition is duplicated, names an unknown state, does not change state or has no reason,
 * a state is unreachable from every initial state, or a non-terminal state cannot reach a terminal one.
 */
export function defineMachine<const S extends string>(spec: {
  readonly name: MachineName;
  readonly states: readonly S[];
  readonly initial: readonly NoInfer<S>[];
  readonly terminal: readonly NoInfer<S>[];
  readonly transitions: readonly Transition<NoInfer<S>>[];
}): StateMachine<S> {
  const problems = machineProblems(spec);
  if (problems.length > 0) throw new MachineDefinitionError(String(spec.name), problems);
  const machine: StateMachine<S> = Object.freeze({
    name: spec.name,
    states: Object.freeze([...spec.states]),
    initial: Object.freeze([...spec.initial]),
    terminal: Object.freeze([...spec.terminal]),
    transitions: Object.freeze(
      spec.transitions.map((t) => Object.freeze({ from: t.from, to: t.to, reason: t.reason })),
    ),
  });
  indexes.set(machine, buildIndex(machine));
  return machine;
}
