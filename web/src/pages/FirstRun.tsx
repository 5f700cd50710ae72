import { type FormEvent, useState } from 'react';
import { api, describe, type Session } from '../api';
import { useSession } from '../session';
import { AuthCard, Field, NewPasswordFields, Notice, passwordsDiffer } from '../ui';

/** The first start: whoever opens wasync first creates the admin account. */
export function FirstRunPage() {
  const { signedIn } = useSession();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    if (passwordsDiffer(form)) {
      setError('The two passwords differ.');
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      signedIn(
        await api<Session>('POST', '/setup/admin', {
          name: form.get('name'),
          email: form.get('email'),
          password: form.get('password'),
        }),
      );
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard
      title="Set up your workspace"
      intro="You are the first here: create the admin account. Admins connect CRMs and WhatsApp numbers and invite the team."
    >
      <form onSubmit={submit} className="stack">
        <Field label="Your name" name="name" autoComplete="name" required />
        <Field label="E-mail" name="email" type="email" autoComplete="email" required />
        <NewPasswordFields />
        {error ? <Notice kind="error">{error}</Notice> : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Creating…' : 'Create admin account'}
        </button>
      </form>
    </AuthCard>
  );
}
