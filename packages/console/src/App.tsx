/** Layout, navigation (hash routes, keyboard: Tab, Enter, and g then n/t/e/r/c), and sign-in state. */
import { type ReactNode, useEffect, useState } from 'react';
import { forgetKey, restoreSession, type Session } from './session.ts';
import { Challenges } from './views/Challenges.tsx';
import { EpochDetail, Epochs } from './views/Epochs.tsx';
import { Network } from './views/Network.tsx';
import { Rewards } from './views/Rewards.tsx';
import { SignIn } from './views/SignIn.tsx';
import { TaskDetail } from './views/TaskDetail.tsx';
import { Tasks } from './views/Tasks.tsx';

const NAV = [
  ['network', 'Network', 'n'],
  ['tasks', 'Tasks', 't'],
  ['epochs', 'Epochs', 'e'],
  ['rewards', 'Rewards', 'r'],
  ['challenges', 'Challenges', 'c'],
] as const;

function useHash(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const on = () => setHash(window.location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

export function App() {
  const [session, setSession] = useState<Session | undefined>(() => restoreSession());
  const hash = useHash();
  const [, section = 'network', id] = hash.replace(/^#/, '').split('/');

  useEffect(() => {
    let armed = false;
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName) || e.metaKey || e.ctrlKey || e.altKey) return;
      if (e.key === 'g') {
        armed = true;
        return;
      }
      const entry = armed ? NAV.find(([, , key]) => key === e.key) : undefined;
      armed = false;
      if (entry) window.location.hash = `#/${entry[0]}`;
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: focus moves to the content on every navigation
  useEffect(() => {
    document.getElementById('main')?.focus();
  }, [section, id]);

  if (!session) return <SignIn onSignedIn={setSession} />;

  let view: ReactNode;
  if (section === 'tasks' && id) view = <TaskDetail session={session} taskId={decodeURIComponent(id)} />;
  else if (section === 'tasks') view = <Tasks session={session} />;
  else if (section === 'epochs' && id) view = <EpochDetail session={session} epochId={Number(id)} />;
  else if (section === 'epochs') view = <Epochs session={session} />;
  else if (section === 'rewards') view = <Rewards session={session} />;
  else if (section === 'challenges') view = <Challenges session={session} />;
  else view = <Network session={session} />;

  return (
    <>
      <button type="button" className="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header className="top">
        <span className="brand">Symphony</span>
        <nav aria-label="main">
          {NAV.map(([key, label, shortcut]) => (
            <a
              key={key}
              href={`#/${key}`}
              aria-current={section === key ? 'page' : undefined}
              aria-keyshortcuts={`g ${shortcut}`}
              title={`g then ${shortcut}`}
            >
              {label}
            </a>
          ))}
        </nav>
        <span className="who" data-testid="signed-in-as">
          {session.actorId}
          <button
            type="button"
            onClick={() => {
              forgetKey();
              setSession(undefined);
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      <main id="main" tabIndex={-1}>
        {view}
      </main>
    </>
  );
}
