import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { api, describe, type User } from '../api';
import { useList } from '../list';
import type { Page, Schemas } from '../types';
import { Notice } from '../ui';

type AuditEvent = Schemas['AuditEvent'];

/** The filter's groups of actions: each is the start of the action names it covers. */
const ACTION_GROUPS: [prefix: string, label: string][] = [
  ['', 'Everything'],
  ['session', 'Sign-ins and passwords'],
  ['user', 'Roles and removals'],
  ['invite', 'Invites'],
  ['token.created', 'Tokens made'],
  ['token.revoked', 'Tokens revoked'],
  ['token.used', 'Token use'],
  ['connection', 'CRM connections'],
  ['exclusion', 'Exclusions'],
  ['workspace', 'Workspace settings'],
  ['account', 'WhatsApp numbers'],
  ['import', 'Imports'],
  ['pairing', 'Linked devices'],
  ['person', 'Erasures and exports'],
  ['tombstone', 'Erasure blocks lifted'],
  ['secret_key', 'Secret key'],
];

const WHAT: Record<string, string> = {
  'session.sign_in': 'Signed in',
  'session.sign_in_failed': 'Sign-in refused',
  'session.sign_out': 'Signed out',
  'session.password_changed': 'Changed the password',
  'workspace.first_admin_created': 'Created the workspace admin',
  'workspace.settings_changed': 'Changed settings',
  'invite.created': 'Invited',
  'invite.revoked': 'Revoked an invite',
  'invite.accepted': 'Accepted an invite',
  'user.role_changed': 'Changed a role',
  'user.removed': 'Removed a person',
  'token.created': 'Made an API token',
  'token.revoked': 'Revoked an API token',
  'token.used': 'Used the API',
  'connection.created': 'Connected a CRM',
  'connection.updated': 'Changed a CRM connection',
  'connection.deleted': 'Deleted a CRM connection',
  'connection.tested': 'Tested a CRM connection',
  'connection.setup_run': 'Ran the CRM setup',
  'connection.sync_requested': 'Asked for a sync',
  'connection.retry_requested': 'Retried failed writes',
  'exclusion.added': 'Excluded from backups',
  'exclusion.removed': 'Backed up again',
  'account.created': 'Connected a WhatsApp number',
  'account.updated': 'Changed a WhatsApp number',
  'account.deleted': 'Removed a WhatsApp number',
  'import.started': 'Imported a chat export',
  'pairing.started': 'Started pairing',
  'pairing.unlinked': 'Unlinked a device',
  'pairing.resumed': 'Resumed a replaced device session',
  'secret_key.rotated': 'Rotated the secret key',
  'person.erased': "Erased a person's data",
  'person.exported': "Exported a person's data",
  'tombstone.lifted': 'Lifted an erasure block',
};

const VIA: Record<AuditEvent['actor']['via'], string> = {
  session: '',
  token: 'API token',
  cli: 'server command line',
  system: 'wasync',
  anonymous: 'not signed in',
};

const PAGE = 50;

/** A day picked in the filter, as the start of that day (or of the next, for "until") in local time. */
function dayStart(day: string, plusDays = 0): string | undefined {
  if (!day) return undefined;
  const at = new Date(`${day}T00:00:00`);
  at.setDate(at.getDate() + plusDays);
  return at.toISOString();
}

function formatWhen(iso: string): string {
  return new Date(iso).toLocaleString(undefined, {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
}

function show(value: unknown): string {
  if (value === null || value === undefined) return 'default';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The details of an event in a line a person reads. */
function detailsText(event: AuditEvent): string {
  const { details } = event;
  if (event.action === 'token.used') {
    return `${event.count} request${event.count === 1 ? '' : 's'} to ${show(details.family)} in the hour`;
  }
  const changes = details.changes as Record<string, { from: unknown; to: unknown }> | undefined;
  if (changes) {
    return Object.entries(changes)
      .map(([key, change]) => `${key}: ${show(change.from)} → ${show(change.to)}`)
      .join('; ');
  }
  return Object.entries(details)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `${key}: ${show(value)}`)
    .join('; ');
}

/** The audit log (admins): who did what, newest first, with filters and more on demand. */
export function AuditPage() {
  const [events, setEvents] = useState<AuditEvent[]>();
  const [more, setMore] = useState<string>();
  const [error, setError] = useState<string>();
  const [query, setQuery] = useState('');
  const current = useRef('');
  const { rows: people } = useList<User>('/users', setError);

  const load = useCallback(async (q: string, cursor?: string) => {
    current.current = q;
    try {
      const page = await api<Page<AuditEvent>>(
        'GET',
        `/audit?limit=${PAGE}${q}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      );
      if (current.current !== q) return;
      setEvents((list) => (cursor ? [...(list ?? []), ...page.data] : page.data));
      setMore(page.nextCursor);
      setError(undefined);
    } catch (failure) {
      setError(describe(failure));
    }
  }, []);
  useEffect(() => void load(query), [query, load]);

  const filter = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const params = new URLSearchParams();
    const action = String(form.get('action') ?? '');
    const person = String(form.get('person') ?? '');
    const since = dayStart(String(form.get('since') ?? ''));
    const until = dayStart(String(form.get('until') ?? ''), 1);
    if (action) params.set('action', action);
    if (person) params.set('actorUserId', person);
    if (since) params.set('since', since);
    if (until) params.set('until', until);
    const q = params.toString();
    setQuery(q ? `&${q}` : '');
  };

  return (
    <section className="panel" aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <p className="muted">
        Who did what in this workspace: sign-ins, the team, API tokens and their use, CRM connections,
        exclusions, settings. Kept for the days set under Setup → Settings.
      </p>
      <form className="inline-form" onSubmit={filter} aria-label="Filter the audit log">
        <div className="field">
          <label htmlFor="audit-action">What</label>
          <select id="audit-action" name="action" defaultValue="">
            {ACTION_GROUPS.map(([prefix, label]) => (
              <option key={prefix} value={prefix}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-person">Who</label>
          <select id="audit-person" name="person" defaultValue="">
            <option value="">Anyone</option>
            {(people ?? []).map((person) => (
              <option key={person.id} value={person.id}>
                {person.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="audit-since">From</label>
          <input id="audit-since" name="since" type="date" />
        </div>
        <div className="field">
          <label htmlFor="audit-until">To</label>
          <input id="audit-until" name="until" type="date" />
        </div>
        <button type="submit" className="primary">
          Show
        </button>
      </form>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {events === undefined && !error ? <p className="muted">Loading…</p> : null}
      {events?.length === 0 ? <p className="empty">Nothing was recorded that matches.</p> : null}
      {events && events.length > 0 ? (
        <div className="table-wrap">
          <table className="stacked" aria-label="Audit events">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">What</th>
                <th scope="col">On</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id}>
                  <td className="nowrap" data-label="When">
                    {formatWhen(event.occurredAt)}
                  </td>
                  <td
                    data-label="Who"
                    title={[event.clientAddress, event.userAgent].filter(Boolean).join(' · ') || undefined}
                  >
                    {event.actor.label}
                    {VIA[event.actor.via] ? <span className="tag">{VIA[event.actor.via]}</span> : null}
                  </td>
                  <td data-label="What" title={event.action}>
                    {WHAT[event.action] ?? event.action}
                  </td>
                  <td data-label="On">
                    {event.target ? (event.target.label ?? event.target.id ?? event.target.type) : '—'}
                  </td>
                  <td className="audit-details" data-label="Details">
                    {detailsText(event)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {more ? (
        <button type="button" className="link" onClick={() => void load(current.current, more)}>
          Load more
        </button>
      ) : null}
    </section>
  );
}
