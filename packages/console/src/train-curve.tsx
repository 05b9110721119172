/**
 * A Train task's evaluation metric per round: a line chart and, as its text alternative, a table of
 * the same figures. The points come from the task's rounds (`GET /v1/tasks/{id}/rounds`: every round
 * the protocol log recorded, with its released held-out metric), fetched again whenever the polled
 * task view says a round event happened, so the curve grows live and no round between two polls is
 * missed. A round whose held-out set rested on fewer than k_min subjects has its metric suppressed:
 * it is a gap in the line and says so in the table.
 */
import type { TaskRounds, TaskView, TrainRoundView } from '@symphony/api';
import { Empty } from './components.tsx';
import type { Session } from './session.ts';
import { usePoll } from './use-poll.ts';

export type RoundPoint = {
  round: number;
  state: string;
  metric?: string;
  value?: number;
  subjects?: number;
  suppressed?: boolean;
  participants: number;
  dropped: number;
};

function pointOf(r: TrainRoundView): RoundPoint {
  const e = r.evaluation;
  return {
    round: r.round,
    state: r.state,
    ...(e?.metric ? { metric: e.metric } : {}),
    ...(e?.value !== undefined ? { value: Number(e.value) } : {}),
    ...(e?.subjects !== undefined ? { subjects: e.subjects } : {}),
    ...(e?.suppressed ? { suppressed: true } : {}),
    participants: r.participants,
    dropped: r.dropped,
  };
}

/** The points of a task's rounds, in round order. */
export function roundPointsOf(view: TaskRounds): RoundPoint[] {
  return view.rounds.map(pointOf);
}

/**
 * Every round of a Train task so far (none for another class): fetched when the page opens and
 * again each time the polled task view's round position (`train.updated_seq`) moves.
 */
export function useTrainRounds(
  session: Session,
  task: TaskView | undefined,
): { rounds: RoundPoint[]; loading: boolean; error: unknown; refresh: () => void } {
  const taskId = task?.task_id;
  const isTrain = task?.class === 'train';
  const position = task?.train?.updated_seq;
  const polled = usePoll(
    () => (isTrain && taskId ? session.client.getTaskRounds(taskId) : Promise.resolve(undefined)),
    [session, taskId, isTrain, position],
    0,
  );
  const view = polled.data?.task_id === taskId ? polled.data : undefined;
  return {
    rounds: view ? roundPointsOf(view) : [],
    loading: view === undefined && polled.loading,
    error: polled.error,
    refresh: polled.refresh,
  };
}

const fmt = (v: number | undefined) => (v === undefined ? '—' : String(Math.round(v * 10_000) / 10_000));

export function TrainCurve({ task, rounds }: { task: TaskView; rounds: RoundPoint[] }) {
  const metric = rounds.find((r) => r.metric)?.metric ?? 'accuracy';
  const measured = rounds.filter((r) => r.value !== undefined);
  if (rounds.length === 0) {
    return (
      <Empty title="No round has started yet.">
        The first round starts once enough Vaults accept the task; this page draws the curve as rounds complete.
      </Empty>
    );
  }
  const first = measured[0];
  const latest = measured.at(-1);
  const summary =
    first && latest
      ? `Held-out ${metric} ${fmt(first.value)} after round ${first.round}${latest !== first ? `, ${fmt(latest.value)} after round ${latest.round}` : ''} (${rounds.length} round${rounds.length === 1 ? '' : 's'}${task.train ? `, ${task.train.rounds_completed} completed` : ''}).`
      : `No held-out ${metric} to plot yet.`;
  return (
    <div data-testid="train-result">
      <p id="train-curve-summary">{summary}</p>
      {measured.length === 0 ? (
        <Empty title={`No ${metric} per round.`}>
          Either the task declared no held-out evaluation (set <code>spec.evaluation.holdout_bps</code> to hold out a
          share of subjects), or each round's held-out set rested on fewer than k_min subjects and was suppressed.
          Target more subjects to see a curve.
        </Empty>
      ) : (
        <LineChart points={rounds} metric={metric} title={`Held-out ${metric} per round of ${task.task_id}`} />
      )}
      <div className="table-wrap">
        <table id="train-rounds" data-testid="train-rounds" aria-describedby="train-curve-summary">
          <caption className="visually-hidden">Rounds of {task.task_id}</caption>
          <thead>
            <tr>
              <th scope="col">round</th>
              <th scope="col">state</th>
              <th scope="col">held-out {metric}</th>
              <th scope="col">held-out subjects</th>
              <th scope="col">Vaults</th>
              <th scope="col">dropped</th>
            </tr>
          </thead>
          <tbody>
            {rounds.map((r) => (
              <tr key={r.round}>
                <td>{r.round}</td>
                <td>{r.state}</td>
                <td>{r.suppressed ? 'suppressed (fewer than k_min subjects)' : fmt(r.value)}</td>
                <td>{r.subjects ?? '—'}</td>
                <td>{r.participants}</td>
                <td>{r.dropped}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** Metric (0..1) against round; a round without a value breaks the line. */
function LineChart({ points, metric, title }: { points: RoundPoint[]; metric: string; title: string }) {
  const width = 640;
  const height = 260;
  const pad = { left: 48, right: 16, top: 12, bottom: 40 };
  const lastRound = Math.max(1, ...points.map((p) => p.round));
  const x = (round: number) =>
    pad.left + (lastRound === 1 ? 0.5 : (round - 1) / (lastRound - 1)) * (width - pad.left - pad.right);
  const y = (v: number) => pad.top + (1 - Math.min(1, Math.max(0, v))) * (height - pad.top - pad.bottom);
  const segments: string[] = [];
  let current = '';
  for (const p of points) {
    if (p.value === undefined) {
      if (current) segments.push(current);
      current = '';
      continue;
    }
    current += `${current ? 'L' : 'M'}${x(p.round).toFixed(1)},${y(p.value).toFixed(1)} `;
  }
  if (current) segments.push(current);
  const step = Math.max(1, Math.ceil(lastRound / 10));
  const xTicks = Array.from({ length: lastRound }, (_, i) => i + 1).filter((r) => r === 1 || r % step === 0);
  return (
    <figure className="chart" data-testid="train-chart">
      <svg
        viewBox={`0 0 ${width} ${height}`}
        role="img"
        aria-label={title}
        aria-describedby="train-curve-summary train-rounds"
        preserveAspectRatio="xMinYMin meet"
      >
        <title>{title}</title>
        {[0, 0.25, 0.5, 0.75, 1].map((v) => (
          <g key={v}>
            <line x1={pad.left} x2={width - pad.right} y1={y(v)} y2={y(v)} className="chart-grid" />
            <text x={pad.left - 6} y={y(v) + 4} textAnchor="end" className="chart-label">
              {v}
            </text>
          </g>
        ))}
        {xTicks.map((r) => (
          <text key={r} x={x(r)} y={height - pad.bottom + 18} textAnchor="middle" className="chart-label">
            {r}
          </text>
        ))}
        <text x={(width + pad.left) / 2} y={height - 4} textAnchor="middle" className="chart-label">
          round
        </text>
        {segments.map((d) => (
          <path key={d} d={d} className="chart-line" />
        ))}
        {points
          .filter((p) => p.value !== undefined)
          .map((p) => (
            <circle key={p.round} cx={x(p.round)} cy={y(p.value!)} r="4" className="chart-point" data-round={p.round}>
              <title>
                round {p.round}: {metric} {fmt(p.value)}
              </title>
            </circle>
          ))}
      </svg>
      <figcaption>{title}</figcaption>
    </figure>
  );
}
