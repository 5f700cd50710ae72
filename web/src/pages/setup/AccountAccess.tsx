import { type FormEvent, useEffect, useState } from 'react';
import { api, describe } from '../../api';
import { formatPhone } from '../../phone';
import { useUser } from '../../session';
import type { Answer } from '../../types';
import { FormActions } from '../../ui';
import type { Account } from './Accounts';

/** Who reads a number's chats, as its account carries it. */
export type AccountAccess = NonNullable<Account['access']>;
export type AccountPerson = AccountAccess['sharedWith'][number];

const nameOf = (person: AccountPerson) => `${person.name}${person.removed ? ' (left the team)' : ''}`;

/** One line: who reads the number's chats, and why the signed-in person does (or does not). */
export function AccessSummary({ access }: { access: AccountAccess }) {
  const who =
    access.visibility === 'team'
      ? 'Whole team'
      : access.sharedWith.length > 0
        ? `Private, shared with ${access.sharedWith.map(nameOf).join(', ')}`
        : 'Private';
  return (
    <div className="muted small" data-testid="account-access">
      {who} · owner {access.owner ? nameOf(access.owner) : 'no one (admins only)'}
      {access.yours === 'none'
        ? ' · you manage this number, its chats are not shown to you'
        : access.yours === 'shared'
          ? ' · shared with you'
          : ''}
    </div>
  );
}

/** Change a number's owner, visibility and the people it is shared with (its owner or an admin). */
export function AccessForm({
  account,
  onSaved,
  onCancel,
}: {
  account: Account & { access: AccountAccess };
  onSaved: () => void;
  onCancel: () => void;
}) {
  const user = useUser();
  const [team, setTeam] = useState<Answer<'/team', 'get'>['data']>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [owner, setOwner] = useState(account.access.owner?.id ?? '');
  useEffect(() => {
    api<Answer<'/team', 'get'>>('GET', '/team').then(
      (result) => setTeam(result.data),
      (failure) => setError(describe(failure)),
    );
  }, []);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      await api('PUT', `/accounts/${account.id}/access`, {
        ownerId: owner === '' ? null : owner,
        visibility: String(form.get('visibility')),
        sharedWith: form.getAll('sharedWith').map(String),
      });
      onSaved();
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  };
  const shared = new Set(account.access.sharedWith.map((person) => person.id));
  return (
    <form className="stack form-box" onSubmit={submit} aria-label={`Who reads ${account.phone}`}>
      <h2>Who reads the chats of {account.displayName ?? formatPhone(account.phone)}</h2>
      <div className="field">
        <label htmlFor={`owner-${account.id}`}>Owner</label>
        <select id={`owner-${account.id}`} value={owner} onChange={(event) => setOwner(event.target.value)}>
          {user.role === 'admin' ? <option value="">No one (admins only)</option> : null}
          {(team ?? []).map((person) => (
            <option key={person.id} value={person.id}>
              {person.name} ({person.email})
            </option>
          ))}
        </select>
      </div>
      <fieldset className="choices">
        <legend>Visibility</legend>
        <label className="check">
          <input
            type="radio"
            name="visibility"
            value="private"
            defaultChecked={account.access.visibility === 'private'}
          />
          Private: the owner, the people below, and admins
        </label>
        <label className="check">
          <input
            type="radio"
            name="visibility"
            value="team"
            defaultChecked={account.access.visibility === 'team'}
          />
          Whole team
        </label>
      </fieldset>
      <fieldset className="choices">
        <legend>Shared with</legend>
        {(team ?? [])
          .filter((person) => person.id !== owner)
          .map((person) => (
            <label key={person.id} className="check">
              <input
                type="checkbox"
                name="sharedWith"
                value={person.id}
                defaultChecked={shared.has(person.id)}
              />
              {person.name} ({person.email})
            </label>
          ))}
      </fieldset>
      <FormActions error={error} busy={busy} submit="Save" busyLabel="Saving…" onCancel={onCancel} />
    </form>
  );
}
