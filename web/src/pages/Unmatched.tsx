import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, describe } from '../api';
import { capabilitiesOf, useConnections, useCrmKinds } from '../connections';
import { useLive } from '../live';
import { formatPhone } from '../phone';
import type { Connection, CrmKind, RecordType, Schemas } from '../types';
import { formatTime, Notice } from '../ui';

type Unmatched = Schemas['UnmatchedChat'];

/** Chats no CRM record matched, per connection, each one click from a new contact or a link. */
export function UnmatchedPage() {
  const { connections, error } = useConnections();
  const [kindsError, setKindsError] = useState<string>();
  const kinds = useCrmKinds(setKindsError);
  return (
    <div className="stack-lg">
      <section className="panel">
        <h1>Unmatched</h1>
        <p className="muted">
          WhatsApp chats that are not in the CRM, the same ones the chat list shows as “Not in CRM”: nobody of
          the chat has a contact or lead with their number (create one, or open the chat to link an existing
          record), someone was unlinked by hand, or every message is older than the backfill window.
        </p>
        {error || kindsError ? <Notice kind="error">{error ?? kindsError}</Notice> : null}
        {connections?.length === 0 ? <p className="empty">No CRM is connected yet.</p> : null}
      </section>
      {connections?.map((connection) => (
        <UnmatchedOf key={connection.id} connection={connection} kinds={kinds} />
      ))}
    </div>
  );
}

function UnmatchedOf({ connection, kinds }: { connection: Connection; kinds: CrmKind[] | undefined }) {
  // No "Create lead" where the connection's CRM has no leads.
  const { leads } = capabilitiesOf(kinds, connection.kind);
  const [rows, setRows] = useState<Unmatched[]>();
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  const [busy, setBusy] = useState<string>();
  const load = useCallback(
    () =>
      api<{ data: Unmatched[] }>('GET', `/connections/${connection.id}/unmatched`).then(
        (result) => setRows(result.data),
        (failure) => setMessage({ kind: 'error', text: describe(failure) }),
      ),
    [connection.id],
  );
  useEffect(() => void load(), [load]);
  useLive((event) => {
    if (event.type === 'sync' && event.connectionId === connection.id) void load();
  });

  const create = async (row: Unmatched, type: RecordType) => {
    setBusy(row.chat.id);
    try {
      await api('POST', `/chats/${row.chat.id}/records`, { connection: connection.id, type });
      setMessage({
        kind: 'success',
        text: `${row.chat.title ?? 'The chat'} now has a ${type} in ${connection.name}.`,
      });
      setRows((current) => current?.filter((r) => r.chat.id !== row.chat.id));
    } catch (failure) {
      setMessage({ kind: 'error', text: describe(failure) });
    } finally {
      setBusy(undefined);
    }
  };

  const act = async (row: Unmatched, action: 'history' | 'match') => {
    setBusy(row.chat.id);
    try {
      if (action === 'history') await api('POST', `/chats/${row.chat.id}/history`);
      else await api('POST', `/chats/${row.chat.id}/links/match-again`, { connection: connection.id });
      setMessage({
        kind: 'success',
        text:
          action === 'history'
            ? `${row.chat.title ?? 'The chat'}: its older history goes to ${connection.name} in the next run.`
            : `${row.chat.title ?? 'The chat'} is matched by phone again in the next run.`,
      });
      setRows((current) => current?.filter((r) => r.chat.id !== row.chat.id));
    } catch (failure) {
      setMessage({ kind: 'error', text: describe(failure) });
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <section className="panel" aria-labelledby={`unmatched-${connection.id}`}>
      <h2 id={`unmatched-${connection.id}`}>
        {connection.name} <span className="tag">{connection.kind}</span>
      </h2>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
      {rows?.length === 0 ? <p className="muted">Every chat has its record. Nothing to do here.</p> : null}
      {rows && rows.length > 0 ? (
        <ul className="list" aria-label={`Unmatched chats of ${connection.name}`}>
          {rows.map((row) => (
            <li key={row.chat.id} className="row">
              <span className="row-main">
                <span className="row-title">
                  {row.chat.title ??
                    (row.chat.partner?.phone ? formatPhone(row.chat.partner.phone) : 'Unnamed chat')}
                </span>
                <span className="row-sub">
                  {row.chat.type === 'group'
                    ? 'Group'
                    : row.chat.partner?.phone
                      ? formatPhone(row.chat.partner.phone)
                      : ''}
                  {row.reason ? ` · ${row.reason}` : ''}
                  {row.checkedAt ? ` · checked ${formatTime(row.checkedAt)}` : ''}
                </span>
              </span>
              <span className="buttons">
                {row.linked && row.olderNotSent > 0 ? (
                  <button
                    type="button"
                    disabled={busy === row.chat.id}
                    onClick={() => void act(row, 'history')}
                  >
                    Send older history ({row.olderNotSent})
                  </button>
                ) : null}
                {row.unlinkedByHand && row.chat.type === 'direct' ? (
                  <button
                    type="button"
                    disabled={busy === row.chat.id}
                    onClick={() => void act(row, 'match')}
                  >
                    Match by phone again
                  </button>
                ) : null}
                {row.chat.type === 'direct' && !row.linked && !row.unlinkedByHand ? (
                  <>
                    <button
                      type="button"
                      disabled={busy === row.chat.id}
                      onClick={() => void create(row, 'contact')}
                    >
                      Create contact
                    </button>
                    {leads ? (
                      <button
                        type="button"
                        disabled={busy === row.chat.id}
                        onClick={() => void create(row, 'lead')}
                      >
                        Create lead
                      </button>
                    ) : null}
                  </>
                ) : null}
                <Link className="button" to={`/chats/${row.chat.id}`}>
                  {row.chat.type === 'direct' ? 'Link…' : 'Open'}
                </Link>
              </span>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
