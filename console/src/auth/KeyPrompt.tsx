/**
 * Asks for an API key once per browser session. The key is checked with a request
 * before it is kept; a refused key stays on this form with the server's reason.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { acceptKey } from './key-store';
import { KEY_CHECK } from '../api/queries';

export function KeyPrompt({ message }: { message: string }) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) return setProblem('Enter a key (it starts with tmk_).');
    setChecking(true);
    try {
      // Checked directly, not through gql(): a refusal here stays on this form.
      const res = await fetch('/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${trimmed}` },
        body: JSON.stringify({ query: KEY_CHECK }),
      });
      if (res.ok) return acceptKey(trimmed);
      const body = (await res.json().catch(() => ({}))) as { errors?: Array<{ message: string }> };
      setProblem(`The server refused this key: ${body.errors?.[0]?.message ?? `HTTP ${res.status}`}.`);
    } catch (err) {
      setProblem(`Could not reach the server: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setChecking(false);
    }
  };

  return (
    <main id="main" className="key-prompt">
      <h1>API key</h1>
      <p role="alert">{message}</p>
      <form onSubmit={submit}>
        <label htmlFor="api-key">API key</label>
        <input
          id="api-key"
          ref={input}
          type="password"
          autoComplete="off"
          spellCheck={false}
          value={key}
          onChange={(e) => setKey(e.target.value)}
          aria-describedby="api-key-help"
          aria-invalid={problem ? true : undefined}
        />
        <p id="api-key-help" className="muted">
          Kept for this browser tab only (session storage). An admin creates keys with{' '}
          <code>tidemark keys create</code>.
        </p>
        {problem && (
          <p className="error" role="alert">
            <span aria-hidden="true">⚠ </span>
            {problem}
          </p>
        )}
        <button type="submit" disabled={checking}>
          {checking ? 'Checking…' : 'Use this key'}
        </button>
      </form>
    </main>
  );
}
