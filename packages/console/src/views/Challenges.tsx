/**
 * Challenges: tasks in the `challenged` state with the challenge events of their log (evidence
 * submitted, decisions taken), read from `GET /v1/tasks/{id}/events`.
 */
import { Empty, ErrorState, Loading, StateBadge, time } from '../components.tsx';
import type { Session } from '../session.ts';
import { usePoll } from '../use-poll.ts';

export function Challenges({ session }: { session: Session }) {
  const data = usePoll(
    async () => {
      const { tasks } = await session.client.listTasks({ limit: 500 });
      const withEvents = await Promise.all(
        tasks.map(async (t) => ({ task: t, events: (await session.client.getTaskEvents(t.task_id)).events })),
      );
      return withEvents.filter(
        ({ task, events }) => task.state === 'challenged' || events.some((e) => e.type.includes('challenge')),
      );
    },
    [session],
    5000,
  );
  if (data.error) return <ErrorState error={data.error} onRetry={data.refresh} />;
  if (!data.data) return <Loading what="challenges" />;
  return (
    <section aria-labelledby="challenges-title">
      <h1 id="challenges-title">Challenges</h1>
      {data.data.length === 0 ? (
        <Empty title="No challenges">
          No task you may see has been challenged. A challenge opens against a verified result before its epoch settles.
        </Empty>
      ) : (
        data.data.map(({ task, events }) => (
          <article key={task.task_id} className="card">
            <h2>
              <a href={`#/tasks/${task.task_id}`}>{task.task_id}</a> <StateBadge state={task.state} />
            </h2>
            <ol className="timeline">
              {events
                .filter((e) => e.type.includes('challenge') || e.type.includes('decision'))
                .map((e) => (
                  <li key={e.seq}>
                    {e.type} ({e.outcome}) · {time(e.time_ms)} · log #{e.seq}
                  </li>
                ))}
            </ol>
          </article>
        ))
      )}
    </section>
  );
}
