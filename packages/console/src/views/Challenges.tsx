/** Challenges: each with its target, grounds, state history, evidence and the adjudicator's decision. */
import type { ChallengeDetail } from '@symphony/api';
import { useState } from 'react';
import { Empty, ErrorState, Hash, Json, Loading, Pairs, StateBadge, time } from '../components.tsx';
import type { Session } from '../session.ts';
import { usePoll } from '../use-poll.ts';

function Detail({ session, id }: { session: Session; id: string }) {
  const detail = usePoll<ChallengeDetail>(() => session.client.getChallenge(id), [session, id], 5000);
  if (detail.error) return <ErrorState error={detail.error} onRetry={detail.refresh} />;
  if (!detail.data) return <Loading what={`challenge ${id}`} />;
  const d = detail.data;
  return (
    <>
      <h3>Evidence ({d.evidence.length})</h3>
      {d.evidence.length === 0 ? (
        <p className="muted">No stored evidence (a verifier's dispute carries its signed decision instead).</p>
      ) : (
        d.evidence.map((e) => (
          <details key={e.evidence_hash}>
            <summary>
              <Hash value={e.evidence_hash} />
            </summary>
            <Json value={e.evidence} />
          </details>
        ))
      )}
      <h3>Decision</h3>
      {d.adjudication ? <Json value={d.adjudication} /> : <p className="muted">Not decided yet.</p>}
      {d.findings && (
        <details>
          <summary>Findings the adjudicator gathered</summary>
          <Json value={d.findings} />
        </details>
      )}
    </>
  );
}

export function Challenges({ session }: { session: Session }) {
  const list = usePoll(() => session.client.listChallenges(), [session]);
  const [open, setOpen] = useState<string>();
  if (list.error) return <ErrorState error={list.error} onRetry={list.refresh} />;
  if (!list.data) return <Loading what="challenges" />;
  const challenges = list.data.challenges;
  return (
    <section aria-labelledby="challenges-title">
      <h1 id="challenges-title">Challenges</h1>
      {challenges.length === 0 ? (
        <Empty title="No challenges">
          Nobody has challenged a result or a settlement. Open one with `POST /v1/challenges` (the SDK's openChallenge)
          against a verified task before its epoch settles.
        </Empty>
      ) : (
        challenges.map((c) => (
          <article key={c.challenge_id} className="card">
            <h2>
              <code>{c.challenge_id}</code> <StateBadge state={c.state} />
            </h2>
            <Pairs
              rows={[
                ['target', <code key="t">{JSON.stringify(c.target)}</code>],
                ['challenger', c.challenger],
                ['grounds', c.grounds],
                ['bond', c.bond],
                ['epoch', c.epoch_id ?? '—'],
                ['accused', c.accused ?? '—'],
                ['decision hash', <Hash key="d" value={c.decision_hash} />],
              ]}
            />
            <ol className="timeline" aria-label="challenge states">
              {c.history.map((h) => (
                <li key={h.seq}>
                  <StateBadge state={h.state} /> {time(h.time_ms)} <span className="muted">log #{h.seq}</span>
                </li>
              ))}
            </ol>
            {c.stake_movements.length > 0 && (
              <p>
                Stake moved: {c.stake_movements.map((m) => `${m.account} ${m.field} ${m.delta} (${m.kind})`).join('; ')}
              </p>
            )}
            <button
              type="button"
              aria-expanded={open === c.challenge_id}
              onClick={() => setOpen(open === c.challenge_id ? undefined : c.challenge_id)}
            >
              {open === c.challenge_id ? 'Hide evidence and decision' : 'Show evidence and decision'}
            </button>
            {open === c.challenge_id && <Detail session={session} id={c.challenge_id} />}
          </article>
        ))
      )}
    </section>
  );
}
