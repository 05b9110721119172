/** Sign-in with an actor key file: read in the browser, checked against the network, never uploaded. */
import { type FormEvent, useState } from 'react';
import { openSession, parseKeyFile, rememberKey, type Session } from '../session.ts';

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [text, setText] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(undefined);
    setBusy(true);
    try {
      const { actorId, seed } = parseKeyFile(text.trim());
      const session = openSession(actorId, seed);
      await session.client.getNetwork(); // a signed request: fails when the key is not registered
      rememberKey(text.trim());
      onSignedIn(session);
    } catch (e) {
      const code = (e as { code?: string }).code;
      setError(
        code === 'unauthenticated'
          ? 'This key is not registered on this network. Start the network with `symphony up --actor <id>` or use a key it knows.'
          : e instanceof Error
            ? e.message
            : String(e),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="signin" id="main">
      <h1>Symphony console</h1>
      <p>
        Sign in with your actor key: the JSON file in <code>~/.symphony/keys/&lt;actor&gt;.json</code> (
        <code>symphony keys</code> lists them). The key stays in this browser tab; requests are signed here.
      </p>
      <form onSubmit={submit}>
        <label htmlFor="key-file">Key file</label>
        <input
          id="key-file"
          type="file"
          accept="application/json,.json"
          onChange={async (e) => setText((await e.target.files?.[0]?.text()) ?? '')}
        />
        <label htmlFor="key-text">or paste it</label>
        <textarea
          id="key-text"
          rows={6}
          value={text}
          spellCheck={false}
          placeholder='{ "actor_id": "act_local", "public_key": "…", "private_key_pkcs8": "…" }'
          onChange={(e) => setText(e.target.value)}
        />
        {error && (
          <p className="notice error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || text.trim() === ''}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
