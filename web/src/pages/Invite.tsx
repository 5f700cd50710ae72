import { type FormEvent, useEffect, useState } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, describe, type Session } from '../api';
import { useSession } from '../session';
import type { Schemas } from '../types';
import { AuthCard, Field, NewPasswordFields, Notice, passwordsDiffer } from '../ui';

/** What an invite link is for: the e-mail and role it gives, until when. */
type InviteInfo = Schemas['Invite'];

/** The page an invite link opens: the invited person picks a name and password. */
export function InvitePage() {
  const { token = '' } = useParams();
  const { signedIn } = useSession();
  const navigate = useNavigate();
  const [invite, setInvite] = useState<InviteInfo | 'invalid'>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    api<InviteInfo>('GET', `/invites/${encodeURIComponent(token)}`).then(setInvite, () =>
      setInvite('invalid'),
    );
  }, [token]);

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
      const session = await api<Session>('POST', `/invites/${encodeURIComponent(token)}/accept`, {
        name: form.get('name'),
        password: form.get('password'),
      });
      signedIn(session);
      navigate('/chats', { replace: true });
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  };

  if (invite === undefined) return <AuthCard title="Opening your invite…">{null}</AuthCard>;
  if (invite === 'invalid') {
    return (
      <AuthCard title="This invite cannot be used">
        <Notice kind="error">
          The link is used, revoked or expired. Ask the admin who sent it for a new one.
        </Notice>
      </AuthCard>
    );
  }
  return (
    <AuthCard
      title="Join your team on wasync"
      intro={`You are invited as ${invite.role === 'admin' ? 'an admin' : 'a member'} with ${invite.email}.`}
    >
      <form onSubmit={submit} className="stack">
        <Field label="Your name" name="name" autoComplete="name" required autoFocus />
        <NewPasswordFields />
        {error ? <Notice kind="error">{error}</Notice> : null}
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Joining…' : 'Join'}
        </button>
      </form>
    </AuthCard>
  );
}
