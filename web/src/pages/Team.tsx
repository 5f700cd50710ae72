import { type FormEvent, useState } from 'react';
import { api, describe, type User } from '../api';
import { useList } from '../list';
import { useUser } from '../session';
import type { Answer, Schemas } from '../types';
import { CopyField, Field, formatTime, Notice, RoleSelect } from '../ui';

type Invite = Schemas['Invite'];

type Token = Schemas['ApiToken'];

/** The team (admins): people and their roles, invites, and API tokens. */
export function TeamPage() {
  return (
    <div className="stack-lg">
      <People />
      <Invites />
      <Tokens />
    </div>
  );
}

function People() {
  const me = useUser();
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  const { rows: users, reload: load } = useList<User>('/users', (text) =>
    setMessage({ kind: 'error', text }),
  );

  const setRole = async (user: User, role: 'admin' | 'member') => {
    try {
      await api('PATCH', `/users/${user.id}`, { role });
      setMessage({
        kind: 'success',
        text: `${user.name} is now ${role === 'admin' ? 'an admin' : 'a member'}.`,
      });
    } catch (failure) {
      setMessage({ kind: 'error', text: describe(failure) });
    }
    await load();
  };
  const remove = async (user: User) => {
    if (!window.confirm(`Remove ${user.name}? They are signed out and their API tokens stop working.`))
      return;
    try {
      await api('DELETE', `/users/${user.id}`);
      setMessage({ kind: 'success', text: `${user.name} was removed.` });
    } catch (failure) {
      setMessage({ kind: 'error', text: describe(failure) });
    }
    await load();
  };

  return (
    <section className="panel" aria-labelledby="people-title">
      <h1 id="people-title">Team</h1>
      <p className="muted">
        Admins set up CRMs and WhatsApp numbers and manage the team; members work with chats.
      </p>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
      {users === undefined ? <p className="muted">Loading…</p> : null}
      {users ? (
        <div className="table-wrap">
          <table className="stacked">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">E-mail</th>
                <th scope="col">Role</th>
                <th scope="col">Last sign-in</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {users.map((user) => (
                <tr key={user.id}>
                  <td data-label="Name">
                    {user.name}
                    {user.id === me.id ? <span className="tag">you</span> : null}
                  </td>
                  <td data-label="E-mail">{user.email}</td>
                  <td data-label="Role">
                    <select
                      aria-label={`Role of ${user.name}`}
                      value={user.role}
                      onChange={(event) => void setRole(user, event.target.value as 'admin' | 'member')}
                    >
                      <option value="member">Member</option>
                      <option value="admin">Admin</option>
                    </select>
                  </td>
                  <td data-label="Last sign-in">{formatTime(user.lastSignInAt)}</td>
                  <td className="actions">
                    {user.id === me.id ? null : (
                      <button type="button" className="danger" onClick={() => void remove(user)}>
                        Remove
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function Invites() {
  const [link, setLink] = useState<{ email: string; url: string }>();
  const [error, setError] = useState<string>();
  const { rows: invites, reload: load } = useList<Invite>('/invites', setError);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setError(undefined);
    try {
      const made = await api<Answer<'/invites', 'post'>>('POST', '/invites', {
        email: form.get('email'),
        role: form.get('role'),
      });
      setLink({ email: made.invite.email, url: made.url });
      formElement.reset();
    } catch (failure) {
      setError(describe(failure));
    }
    await load();
  };
  const revoke = async (invite: Invite) => {
    try {
      await api('DELETE', `/invites/${invite.id}`);
    } catch (failure) {
      setError(describe(failure));
    }
    await load();
  };

  return (
    <section className="panel" aria-labelledby="invites-title">
      <h2 id="invites-title">Invite someone</h2>
      <form onSubmit={submit} className="inline-form">
        <Field label="E-mail" name="email" type="email" required />
        <RoleSelect id="invite-role" />
        <button type="submit" className="primary">
          Create invite link
        </button>
      </form>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {link ? (
        <Notice kind="success">
          Send this link to {link.email}; it works once, for 7 days, and is not shown again:
          <CopyField value={link.url} label="Invite link" />
        </Notice>
      ) : null}
      {invites && invites.length > 0 ? (
        <>
          <h3>Open invites</h3>
          <ul className="list compact">
            {invites.map((invite) => (
              <li key={invite.id} className="row">
                <span className="row-main">
                  <span className="row-title">{invite.email}</span>
                  <span className="row-sub">
                    {invite.role} · expires {formatTime(invite.expiresAt)}
                  </span>
                </span>
                <button type="button" className="link" onClick={() => void revoke(invite)}>
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function Tokens() {
  const [created, setCreated] = useState<{ name: string; token: string }>();
  const [error, setError] = useState<string>();
  const { rows: tokens, reload: load } = useList<Token>('/tokens', setError);

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setError(undefined);
    try {
      const made = await api<Answer<'/tokens', 'post'>>('POST', '/tokens', {
        name: form.get('name'),
        role: form.get('role'),
      });
      setCreated({ name: made.name, token: made.token });
      formElement.reset();
    } catch (failure) {
      setError(describe(failure));
    }
    await load();
  };
  const revoke = async (token: Token) => {
    if (!window.confirm(`Revoke “${token.name}”? Whatever uses it stops working at once.`)) return;
    try {
      await api('DELETE', `/tokens/${token.id}`);
    } catch (failure) {
      setError(describe(failure));
    }
    await load();
  };
  const active = (tokens ?? []).filter((t) => !t.revokedAt);

  return (
    <section className="panel" aria-labelledby="tokens-title">
      <h2 id="tokens-title">API tokens</h2>
      <p className="muted">For scripts, the CLI and integrations that post messages or read chats.</p>
      <form onSubmit={submit} className="inline-form">
        <Field label="Name" name="name" required maxLength={128} placeholder="e.g. browser extension" />
        <RoleSelect id="token-role" />
        <button type="submit" className="primary">
          Create token
        </button>
      </form>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {created ? (
        <Notice kind="success">
          The token “{created.name}”, shown this once:
          <CopyField value={created.token} label="API token" />
        </Notice>
      ) : null}
      {active.length > 0 ? (
        <ul className="list compact" aria-label="Active API tokens">
          {active.map((token) => (
            <li key={token.id} className="row">
              <span className="row-main">
                <span className="row-title">{token.name}</span>
                <span className="row-sub">
                  {token.prefix}… · {token.role} ·{' '}
                  {token.owner ? `owner ${token.owner.name}` : 'no owner yet'} · last used{' '}
                  {formatTime(token.lastUsedAt)}
                </span>
              </span>
              <button type="button" className="link" onClick={() => void revoke(token)}>
                Revoke
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
