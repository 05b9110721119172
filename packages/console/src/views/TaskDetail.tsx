/**
 * One task: its envelope facts, resolved semantics, state timeline, evidence and attestation, and
 * its result: a Query's released groups (table and charts), a Train task's metric per round (a
 * curve, live while it trains), a Compute histogram (a chart and its table).
 */
import type { ReactNode } from 'react';
import { BarChart, BarTable, histogramBarsOf } from '../chart.tsx';
import { Empty, ErrorState, Hash, Json, Loading, Pairs, StateBadge, time } from '../components.tsx';
import { QueryResult, queryOutputOf } from '../query-result.tsx';
import type { Session } from '../session.ts';
import { TrainCurve, useTrainRounds } from '../train-curve.tsx';
import { usePoll } from '../use-poll.ts';

export function TaskDetail({ session, taskId }: { session: Session; taskId: string }) {
  const task = usePoll(() => session.client.getTask(taskId), [session, taskId]);
  const events = usePoll(() => session.client.getTaskEvents(taskId), [session, taskId]);
  const state = task.data?.state;
  const released = state === 'awaiting_settlement' || state === 'completed' || state === 'challenged';
  const result = usePoll(
    () => (released ? session.client.getTaskResult(taskId) : Promise.resolve(undefined)),
    [session, taskId, released],
    released ? 0 : 2000,
  );
  const resolution = usePoll(() => session.client.getTaskResolution(taskId), [session, taskId], 0);
  const output = result.data?.output;
  const train = useTrainRounds(session, task.data);

  if (task.error) return <ErrorState error={task.error} onRetry={task.refresh} />;
  if (!task.data) return <Loading what={`task ${taskId}`} />;
  const t = task.data;
  const stateEvents = (events.data?.events ?? []).filter((e) => e.state !== undefined && e.outcome === 'applied');
  const first = stateEvents[0]?.time_ms;
  const bars = histogramBarsOf(output);
  const query = queryOutputOf(output);
  const suppressed = (output as { suppressed?: unknown } | undefined)?.suppressed === true;
  const settleEpoch = t.settle_epoch;

  return (
    <section aria-labelledby="task-title">
      <p>
        <a href="#/tasks">← tasks</a>
      </p>
      <h1 id="task-title">
        Task <code>{t.task_id}</code> <StateBadge state={t.state} />
      </h1>
      <h2>Envelope</h2>
      <Pairs
        rows={[
          ['class', t.class],
          ['submitter', t.submitter],
          ['envelope hash', <Hash key="e" value={t.envelope_hash} />],
          ['policy version', t.policy_version],
          ['semantic version', t.semantic_version],
          ['Vaults', t.vault_ids.join(', ')],
          ['admitted in epoch', t.admitted_epoch],
          [
            'settles in epoch',
            settleEpoch === undefined ? (
              '—'
            ) : (
              <a key="s" href={`#/epochs/${settleEpoch}`}>
                epoch {settleEpoch}: settlement and proof
              </a>
            ),
          ],
          ['attempt', t.attempt],
          ['fee / max fee', `${t.fee ?? '—'} / ${t.max_fee}`],
          ...(t.reason_code ? [['reason', t.reason_code] as [string, string]] : []),
        ]}
      />
      <h2>Timeline</h2>
      {events.error ? (
        <ErrorState error={events.error} />
      ) : stateEvents.length === 0 ? (
        <Loading what="events" />
      ) : (
        <ol className="timeline" aria-label="state timeline">
          {stateEvents.map((e) => (
            <li key={e.seq}>
              <StateBadge state={e.state!} />{' '}
              <time dateTime={new Date(e.time_ms).toISOString()}>{time(e.time_ms)}</time>
              <span className="muted">
                {' '}
                +{((e.time_ms - (first ?? e.time_ms)) / 1000).toFixed(1)} s · {e.type} · log #{e.seq}
              </span>
            </li>
          ))}
        </ol>
      )}
      <details>
        <summary>All {events.data?.events.length ?? 0} protocol events</summary>
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">seq</th>
                <th scope="col">type</th>
                <th scope="col">outcome</th>
                <th scope="col">time</th>
              </tr>
            </thead>
            <tbody>
              {(events.data?.events ?? []).map((e) => (
                <tr key={e.seq}>
                  <td>{e.seq}</td>
                  <td>{e.type}</td>
                  <td>{e.outcome}</td>
                  <td>{time(e.time_ms)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
      <h2>Resolved semantics</h2>
      {resolution.error ? (
        <ErrorState error={resolution.error} />
      ) : !resolution.data ? (
        <Loading what="the resolution" />
      ) : (
        <>
          <Pairs
            rows={[
              ['domain', `${resolution.data.resolution.domain}@${resolution.data.resolution.semantic_version}`],
              ['resolution hash', <Hash key="r" value={resolution.data.resolution_hash} />],
            ]}
          />
          <div className="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Vault</th>
                  <th scope="col">attribute</th>
                  <th scope="col">derivation</th>
                </tr>
              </thead>
              <tbody>
                {resolution.data.resolution.bindings.flatMap((b) =>
                  b.attributes.map((a) => (
                    <tr key={`${b.vault_id}/${a.attribute}`}>
                      <td>{b.vault_id}</td>
                      <td>{a.attribute}</td>
                      <td>
                        <code>{a.derivation}</code>
                      </td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        </>
      )}
      {t.class === 'train' ? (
        <>
          <h2>Training: held-out metric per round</h2>
          {train.error ? (
            <ErrorState error={train.error} onRetry={train.refresh} />
          ) : train.loading ? (
            <Loading what="the rounds" />
          ) : (
            <TrainCurve task={t} rounds={train.rounds} />
          )}
        </>
      ) : null}
      <h2>Result</h2>
      {!released ? (
        <p className="muted">The result is released once verification accepts it; this page updates by itself.</p>
      ) : result.error ? (
        <ErrorState error={result.error} onRetry={result.refresh} />
      ) : !result.data ? (
        <Loading what="the result" />
      ) : (
        <>
          <Pairs
            rows={[
              ['verified', result.data.verified ? 'yes' : 'no'],
              ['output hash', <Hash key="o" value={result.data.output_hash} />],
              ['receipt hash', <Hash key="rc" value={result.data.receipt_hash} />],
              [
                'attestation',
                result.data.attestation
                  ? `${result.data.attestation.provider}${result.data.attestation.simulated ? ' (simulated enclave: no hardware root of trust)' : ''}`
                  : 'none',
              ],
              ...(result.data.attestation
                ? [['measurement', <Hash key="m" value={result.data.attestation.measurement} />] as [string, ReactNode]]
                : []),
            ]}
          />
          {query ? <QueryResult output={query} taskId={t.task_id} /> : null}
          {bars ? (
            <>
              <BarChart bars={bars} title={`Histogram of ${t.task_id}`} describedBy="histogram-table" />
              <BarTable bars={bars} id="histogram-table" label="bin" valueLabel="records" />
            </>
          ) : null}
          {suppressed ? (
            <Empty title="Suppressed: fewer than k_min distinct subjects.">
              The program's input rested on too few subjects to release anything. Widen the filter or target more
              Vaults, and submit again.
            </Empty>
          ) : null}
          <details open={!bars && !query && t.class !== 'train'}>
            <summary>Output (the released aggregate)</summary>
            <Json value={result.data.output} />
          </details>
        </>
      )}
    </section>
  );
}
