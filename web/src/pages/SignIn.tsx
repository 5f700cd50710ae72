import { type FormEvent, useState } from 'react';
import { ApiError, api, describe, type Session } from '../api';
import { useSession } from '../session';
import { AuthCard, Field, Notice } from '../ui';

export function SignInPage({ reason }: { reason?: 'expired' | 'signed-out' | undefined }) {
  const { signedIn } = useSession();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      signedIn(
        await api<Session>('POST', '/session', { email: form.get('email'), password: form.get('password') }),
      );
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.code === 'invalid_credentials'
          ? 'That e-mail and password do not match an account.'
          : describe(failure),
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Sign in">
      {reason === 'expired' ? (
        <Notice kind="info">Your session has ended. Sign in again to go on.</Notice>
      ) : null}
      {reason === 'signed-out' ? <Notice kind="success">You are signed out.</Notice> : null}
      <form onSubmit={submit} className="stack">
        <Field label="E-mail" name="email" type="email" autoComplete="username" required autoFocus />
        <Field label="Password" name="password" type="password" autoComplete="current-password" required />
        {error ? <Notice kind="error">{error}</Notice> : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
      <p className="muted small">No account? Ask an admin of your workspace for an invite.</p>
    </AuthCard>
  );
}
