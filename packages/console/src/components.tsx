/** Small shared pieces: state badges, empty/error/loading states, key–value lists, time. */
import { SymphonyApiError } from '@symphony/sdk';
import type { ReactNode } from 'react';

export function StateBadge({ state }: { state: string }) {
  return <span className={`badge state-${state}`}>{state.replace(/_/g, ' ')}</span>;
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" aria-live="polite">
      Loading {what}…
    </p>
  );
}

/** Says what went wrong and what to do about it. */
export function ErrorState({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  let title = 'Something went wrong';
  let advice = 'Retry; if it persists, check that `symphony up` is running.';
  if (error instanceof SymphonyApiError) {
    title = error.message;
    if (error.code === 'forbidden') {
      const roles = (error.details?.required_roles as string[] | undefined)?.join(' or ');
      title = 'Your actor may not see this.';
      advice = roles ? `It needs the role ${roles}. Sign in with an actor that has it.` : 'Sign in with another actor.';
    } else if (error.code === 'unauthenticated') {
      advice = 'Your key is not registered on this network: sign out and sign in with a registered key.';
    } else if (error.code === 'not_found') {
      advice = 'It does not exist, or it belongs to another actor. Go back to the list.';
    } else if (error.code === 'unreachable' || error.code === 'timeout') {
      advice = 'The node does not answer. Start it with `symphony up`, then retry.';
    } else if (error.code === 'result_not_ready') {
      title = 'No result yet.';
      advice = 'The result is released once verification accepts it; this page updates by itself.';
    }
  } else if (error instanceof Error) title = error.message;
  return (
    <div className="notice error" role="alert">
      <strong>{title}</strong>
      <p>{advice}</p>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children: ReactNode }) {
  return (
    <div className="notice empty">
      <strong>{title}</strong>
      <p>{children}</p>
    </div>
  );
}

export function Pairs({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="pairs">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Hash({ value }: { value: string | undefined }) {
  if (!value) return <span className="muted">—</span>;
  return (
    <code className="hash" title={value}>
      {value.length > 20 ? `${value.slice(0, 10)}…${value.slice(-8)}` : value}
    </code>
  );
}

export const time = (ms: number | undefined) => (ms === undefined ? '—' : new Date(ms).toLocaleString());

export function Json({ value }: { value: unknown }) {
  return <pre className="json">{JSON.stringify(value, null, 2)}</pre>;
}
