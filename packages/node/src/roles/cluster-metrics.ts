/**
 * The Prometheus figures a cluster node adds to its `/metrics`: log lag behind the stream head,
 * queue depth (tasks not yet verified), tasks per state, the last finalized epoch and settlement
 * latency (epoch close to finality, from the log's own times), and on enterprise nodes the bus
 * requests being served.
 */

import type { PrefixedBus } from '../adapters/prefixed-bus.ts';
import type { StateFollower } from '../coordination/state-follower.ts';

/** What the node's probe last measured. */
export type NodeFigures = {
  logHead: number;
  lag: number;
  checks: Record<string, 'ok' | 'failing'>;
  queueDepth?: number;
  tasks?: Map<string, number>;
  currentEpoch?: number;
  lastFinalized?: number;
  /** Seconds from `epoch_closed` to `finalized` of the finalized epochs, by epoch. */
  settlementLatency?: [number, number][];
};

const QUEUED = new Set(['accepted', 'resolving', 'dispatched', 'verifying']);

/** Adds the figures derived from the folded state to the probe's. */
export function nodeFigures(follower: StateFollower, probe: NodeFigures): NodeFigures {
  const s = follower.state;
  const tasks = new Map<string, number>();
  let queueDepth = 0;
  for (const t of Object.values(s.tasks)) {
    tasks.set(t.state, (tasks.get(t.state) ?? 0) + 1);
    if (QUEUED.has(t.state)) queueDepth++;
  }
  const latency: [number, number][] = [];
  let lastFinalized = 0;
  for (const st of Object.values(s.settlements)) {
    if (st.state !== 'finalized') continue;
    lastFinalized = Math.max(lastFinalized, st.epoch_id);
    const closed = st.history.find((h) => h.state === 'verifying_inputs') ?? st.history[0];
    const done = st.history.find((h) => h.state === 'finalized');
    if (closed && done) latency.push([st.epoch_id, Math.max(0, done.time_ms - closed.time_ms) / 1000]);
  }
  latency.sort((a, b) => a[0] - b[0]);
  return {
    ...probe,
    queueDepth,
    tasks,
    currentEpoch: s.current_epoch,
    lastFinalized,
    settlementLatency: latency.slice(-10),
  };
}

/** Prometheus text (format 0.0.4) of the figures; `bus` adds the enterprise node's serving counters. */
export function renderNodeMetrics(f: NodeFigures, bus?: PrefixedBus): string {
  const lines: string[] = [];
  const gauge = (name: string, help: string, samples: [string, number][], type = 'gauge') => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, v] of samples) lines.push(`${name}${labels} ${v}`);
  };
  gauge('scs_node_log_position', 'Sequence number of the last log entry this node folded.', [['', f.logHead]]);
  gauge('scs_node_log_lag', 'Log entries in the JetStream stream this node has not folded yet.', [['', f.lag]]);
  gauge(
    'scs_node_check',
    'Dependency checks of this node (1 ok, 0 failing).',
    Object.entries(f.checks).map(([k, v]) => [`{check="${k}"}`, v === 'ok' ? 1 : 0]),
  );
  gauge('scs_node_queue_depth', 'Tasks admitted but not yet verified (accepted, resolving, dispatched, verifying).', [
    ['', f.queueDepth ?? 0],
  ]);
  gauge(
    'scs_node_tasks',
    'Tasks by lifecycle state, as this node folded them.',
    [...(f.tasks ?? new Map())].sort().map(([state, n]) => [`{state="${state}"}`, n]),
  );
  gauge('scs_node_epoch_current', 'The open epoch.', [['', f.currentEpoch ?? 0]]);
  gauge('scs_node_epoch_last_finalized', 'The last finalized epoch (0: none).', [['', f.lastFinalized ?? 0]]);
  gauge(
    'scs_node_settlement_latency_seconds',
    'Seconds from the epoch close to finality (log times), for the last finalized epochs.',
    (f.settlementLatency ?? []).map(([epoch, s]) => [`{epoch="${epoch}"}`, s]),
  );
  if (bus) {
    gauge('scs_node_bus_in_flight', 'Bus requests this node is serving now.', [['', bus.inFlight]]);
    gauge('scs_node_bus_served_total', 'Bus requests this node answered.', [['', bus.served]], 'counter');
  }
  return `${lines.join('\n')}\n`;
}
