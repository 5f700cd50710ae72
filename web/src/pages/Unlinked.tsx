import { type FormEvent, useState } from 'react';
import { api, describe } from '../api';
import { formatPhone, formatPhones, regionOfPhone } from '../phone';
import type { ChatCrmState, Connection, CrmKind, CrmRecord } from '../types';
import { formatTime, Notice } from '../ui';

/** Who the card offers a record for: a chat's person, or the one the page shows for a chat not captured. */
export interface UnlinkedPerson {
  /** Unique on the card: keys the form fields' ids. */
  key: string;
  name?: string | undefined;
  /** E.164. */
  phone?: string | undefined;
}

export interface UnlinkedProps {
  /**
   * The chat's id, asked on each create or link just before it is sent: a chat wasync has captured
   * answers its own; one not captured yet is made first (with the number typed in the create form, when
   * the form asks for one).
   */
  chatId: (entered: { phone?: string }) => Promise<string>;
  connection: Connection;
  capabilities: CrmKind['capabilities'];
  person: UnlinkedPerson;
  /** In a group, the person's identity: the create and link name them. */
  identityId?: string | undefined;
  /** The person was unlinked by hand here: the sync does not match them by phone again. */
  unlinkedByHand?: ChatCrmState['unlinked'][number] | undefined;
  /** The number typed makes the chat's person too: the page has not shown it (a chat not captured yet). */
  askNumber?: boolean;
  /** What the search starts with (the number or name, for a chat not captured yet). */
  searchFor?: string | undefined;
  /** Turns a refusal into words; `describe` by default. */
  explain?: (failure: unknown) => string;
  /** Called after a record was created or linked (or matched again): the card reloads. */
  done: () => Promise<unknown>;
}

/**
 * The ways to a record for a person without one on a connection: create a contact or lead from the
 * chat, or link an existing record found by name or number; after an unlink by hand, match by phone
 * again.
 */
export function Unlinked({
  chatId,
  connection,
  capabilities,
  person,
  identityId,
  unlinkedByHand,
  askNumber = false,
  searchFor,
  explain = describe,
  done,
}: UnlinkedProps) {
  const [mode, setMode] = useState<'create' | 'link'>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [results, setResults] = useState<CrmRecord[]>();
  const identity = identityId === undefined ? {} : { identityId };

  /** Runs one change against the chat, then lets the card reload; a refusal is said in words. */
  const change = async (entered: { phone?: string }, send: (id: string) => Promise<unknown>) => {
    setBusy(true);
    setError(undefined);
    try {
      await send(await chatId(entered));
      await done();
    } catch (failure) {
      setError(explain(failure));
    } finally {
      setBusy(false);
    }
  };

  const create = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    // Where the CRM has no leads there is no choice: a contact.
    const type = capabilities.leads ? String(form.get('type')) : 'contact';
    const company = String(form.get('company') ?? '').trim();
    const phone = String(form.get('phone') ?? '').trim();
    // A number WhatsApp did not show makes the chat's person too; any number typed goes on the record.
    await change(askNumber && phone ? { phone } : {}, (id) =>
      api('POST', `/chats/${id}/records`, {
        connection: connection.id,
        type,
        name: String(form.get('name')).trim() || undefined,
        ...(type === 'lead' && company ? { company } : {}),
        ...(phone ? { phone } : {}),
        ...identity,
      }),
    );
  };

  const matchAgain = () =>
    change({}, (id) =>
      api('POST', `/chats/${id}/links/match-again`, { connection: connection.id, ...identity }),
    );

  const search = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const q = String(new FormData(event.currentTarget).get('q')).trim();
    if (!q) return;
    setBusy(true);
    setError(undefined);
    try {
      const found = await api<{ data: CrmRecord[] }>(
        'GET',
        `/connections/${connection.id}/records?q=${encodeURIComponent(q)}`,
      );
      setResults(found.data);
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  };

  const link = (record: CrmRecord) =>
    change({}, (id) =>
      api('POST', `/chats/${id}/links`, {
        connection: connection.id,
        record: { type: record.type, id: record.id },
        ...identity,
      }),
    );

  const fieldId = (field: string) => `${field}-${connection.id}-${person.key}`;
  return (
    <div className="unlinked">
      {unlinkedByHand ? (
        <p className="small" data-testid="unlinked-by-hand">
          Unlinked by hand from {unlinkedByHand.record.name ?? `a ${unlinkedByHand.record.type}`} on{' '}
          {formatTime(unlinkedByHand.at)}: wasync will not match{' '}
          {person.name ?? (person.phone ? formatPhone(person.phone) : 'this person')} by phone again
          automatically.{' '}
          <button type="button" className="link" disabled={busy} onClick={() => void matchAgain()}>
            Match by phone again
          </button>
        </p>
      ) : (
        <p className="muted small">
          {identityId !== undefined
            ? `Not linked to a record in ${connection.name}.`
            : `${person.phone ? formatPhone(person.phone) : (person.name ?? 'This person')} is not linked to a record in ${connection.name}.`}
        </p>
      )}
      <div className="buttons">
        <button type="button" aria-pressed={mode === 'create'} onClick={() => setMode('create')}>
          {capabilities.leads ? 'Create contact or lead' : 'Create contact'}
        </button>
        <button type="button" aria-pressed={mode === 'link'} onClick={() => setMode('link')}>
          Link existing record
        </button>
      </div>
      {mode === 'create' ? (
        <form className="stack compact" onSubmit={create} aria-label="Create a record">
          <div className="field">
            <label htmlFor={fieldId('name')}>Name</label>
            <input
              id={fieldId('name')}
              name="name"
              defaultValue={person.name ?? ''}
              placeholder={person.phone ? formatPhone(person.phone) : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor={fieldId('phone')}>Number</label>
            <input
              id={fieldId('phone')}
              name="phone"
              type="tel"
              required
              defaultValue={person.phone ? formatPhone(person.phone) : ''}
              placeholder="+55 11 98765-4321"
              aria-describedby={fieldId('phone-hint')}
            />
            <p className="muted small" id={fieldId('phone-hint')}>
              {person.phone
                ? "The chat's number; the record may have another (the chat is linked to it either way)."
                : "WhatsApp has not shown this person's number; the record needs one."}
            </p>
          </div>
          {capabilities.leads ? (
            <>
              <fieldset className="choice">
                <legend>Create as</legend>
                <label>
                  <input type="radio" name="type" value="contact" defaultChecked /> Contact
                </label>
                <label>
                  <input type="radio" name="type" value="lead" /> Lead
                </label>
              </fieldset>
              <div className="field">
                <label htmlFor={fieldId('company')}>Company (leads)</label>
                <input id={fieldId('company')} name="company" />
              </div>
            </>
          ) : null}
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create in the CRM'}
          </button>
        </form>
      ) : null}
      {mode === 'link' ? (
        <div className="stack compact">
          <form className="search-form" onSubmit={search} aria-label="Search the CRM">
            <input
              name="q"
              defaultValue={searchFor}
              placeholder="Name or number"
              aria-label="Search the CRM by name or number"
            />
            <button type="submit" disabled={busy}>
              Search
            </button>
          </form>
          {results?.length === 0 ? <p className="muted small">No record matches.</p> : null}
          {results && results.length > 0 ? (
            <ul className="plain results">
              {results.map((record) => (
                <li key={`${record.type}-${record.id}`}>
                  <span className="result">
                    {record.name} <span className="tag">{record.type}</span>
                    <span className="muted small">
                      {' '}
                      {formatPhones(record.phones, regionOfPhone(person.phone))}
                    </span>
                  </span>
                  <button type="button" disabled={busy} onClick={() => void link(record)}>
                    Link
                  </button>
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
    </div>
  );
}
