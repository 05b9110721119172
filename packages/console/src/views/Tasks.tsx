/** Tasks, filtered by state and class, newest activity first; the server shows each actor only what it may see. */
import { TASK_STATES } from '@symphony/protocol';
import { useState } from 'react';
import { Empty, ErrorState, Loading, StateBadge } from '../components.tsx';
import type { Session } from '../session.ts';
import { usePoll } from '../use-poll.ts';

const CLASSES = ['compute', 'parse', 'query', 'train'] as const;

export function Tasks({ session }: { session: Session }) {
  const [state, setState] = useState('');
  const [klass, setKlass] = useState('');
  const tasks = usePoll(
    () =>
      session.client.listTasks({
        limit: 200,
        ...(state ? { state: state as (typeof TASK_STATES)[number] } : {}),
        ...(klass ? { class: klass as (typeof CLASSES)[number] } : {}),
      }),
    [session, state, klass],
  );
  const rows = [...(tasks.data?.tasks ?? [])].sort((a, b) => b.updated_seq - a.updated_seq);
  return (
    <section aria-labelledby="tasks-title">
      <h1 id="tasks-title">Tasks</h1>
      <div className="filters">
        <label>
          state{' '}
          <select value={state} onChange={(e) => setState(e.target.value)} aria-label="filter by state">
            <option value="">any</option>
            {TASK_STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label>
          class{' '}
          <select value={klass} onChange={(e) => setKlass(e.target.value)} aria-label="filter by class">
            <option value="">any</option>
            {CLASSES.map((c) => (
              <option key={c}>{c}</option>
            ))}
          </select>
        </label>
      </div>
      {tasks.error ? (
        <ErrorState error={tasks.error} onRetry={tasks.refresh} />
      ) : !tasks.data ? (
        <Loading what="tasks" />
      ) : rows.length === 0 ? (
        <Empty title={state || klass ? 'No task matches these filters' : 'No tasks you may see yet'}>
          {state || klass
            ? 'Clear a filter, or wait: this list updates by itself.'
            : 'Submit one with `symphony task submit <request.json>` or the SDK, or run `npm run demo`.'}
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="stack">
            <thead>
              <tr>
                <th scope="col">task</th>
                <th scope="col">class</th>
                <th scope="col">state</th>
                <th scope="col">submitter</th>
                <th scope="col">epoch</th>
                <th scope="col">fee / max</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((t) => (
                <tr key={t.task_id} data-testid="task-row">
                  <td data-label="task">
                    <a href={`#/tasks/${t.task_id}`}>{t.task_id}</a>
                  </td>
                  <td data-label="class">{t.class}</td>
                  <td data-label="state">
                    <StateBadge state={t.state} />
                  </td>
                  <td data-label="submitter">{t.submitter}</td>
                  <td data-label="epoch">{t.settle_epoch ?? t.admitted_epoch}</td>
                  <td data-label="fee / max">
                    {t.fee ?? '—'} / {t.max_fee}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
