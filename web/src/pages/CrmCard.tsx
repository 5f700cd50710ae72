import { useCallback, useEffect, useRef, useState } from 'react';
import { api, describe } from '../api';
import { capabilitiesOf, useCrmKinds } from '../connections';
import { ChatCrmLine } from '../crm-state';
import { useLive } from '../live';
import { formatPhone, formatPhones, regionOfPhone } from '../phone';
import type { Chat, ChatCrmState, Connection, CrmKind, Identity, RecordCard, RecordLink } from '../types';
import { formatTime, Notice } from '../ui';
import { NeverBackUp } from './NeverBackUp';
import { Unlinked } from './Unlinked';

/**
 * The mini-CRM beside a chat: for each CRM connection, each person of the chat with their linked
 * record (fields, open deals, latest notes, last sync), or the ways to get one: create it from the chat,
 * or link an existing record found by name or number.
 */
export function CrmCard({ chat }: { chat: Chat }) {
  const [connections, setConnections] = useState<Connection[]>();
  const [links, setLinks] = useState<RecordLink[]>([]);
  const [error, setError] = useState<string>();
  const kinds = useCrmKinds(setError);

  const [states, setStates] = useState<ChatCrmState[]>();
  const loadStates = useCallback(
    () =>
      api<{ data: ChatCrmState[] }>('GET', `/chats/${chat.id}/crm`).then(
        (result) => setStates(result.data),
        (failure) => setError(describe(failure)),
      ),
    [chat.id],
  );
  const loadLinks = useCallback(async () => {
    const result = await api<{ data: RecordLink[] }>('GET', `/chats/${chat.id}/records`);
    setLinks(result.data);
    // A link made or removed moves the chat's state too.
    void loadStates();
    return result.data;
  }, [chat.id, loadStates]);

  useEffect(() => {
    // Another chat's states are not this one's, not even while this one's load.
    setStates(undefined);
    Promise.all([api<{ data: Connection[] }>('GET', '/connections'), loadLinks()]).then(
      ([result]) => setConnections(result.data),
      (failure) => setError(describe(failure)),
    );
  }, [loadLinks]);

  // A finished sync run may have moved a last-sync time or linked someone; a new message makes the
  // chat wait for the next run.
  useLive((event) => {
    if (event.type === 'sync') void loadLinks();
    else if (event.type === 'messages') void loadStates();
  });

  const chatId = useCallback(async () => chat.id, [chat.id]);
  const people: Identity[] =
    chat.type === 'direct' ? (chat.partner ? [chat.partner] : []) : uniqueById(chat.participants ?? []);

  return (
    <aside className="panel card" aria-labelledby="card-title">
      <h2 id="card-title">In the CRM</h2>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {connections === undefined && !error ? <p className="muted">Loading…</p> : null}
      {connections?.length === 0 ? (
        <p className="muted">No CRM is connected yet. An admin connects one under Setup.</p>
      ) : null}
      {connections?.map((connection) => (
        <section key={connection.id} className="connection" aria-label={connection.name}>
          <ConnectionHead connection={connection} />
          {(states ?? [])
            .filter((state) => state.connection.id === connection.id)
            .map((state) => (
              <ChatCrmLine
                key={state.connection.id}
                chatId={chat.id}
                state={state}
                onChange={() => void loadStates()}
              />
            ))}
          {people.length === 0 ? <p className="muted">WhatsApp has not shared who is in this chat.</p> : null}
          {people.map((person) => {
            const link = links.find((l) => l.connectionId === connection.id && l.identity.id === person.id);
            return (
              <div key={person.id} className="person">
                {chat.type === 'group' ? <PersonName person={person} /> : null}
                {link ? (
                  <Linked
                    chat={chat}
                    connection={connection}
                    capabilities={capabilitiesOf(kinds, connection.kind)}
                    link={link}
                    reload={loadLinks}
                  />
                ) : (
                  <Unlinked
                    chatId={chatId}
                    connection={connection}
                    capabilities={capabilitiesOf(kinds, connection.kind)}
                    person={{ key: person.id, name: person.name, phone: person.phone }}
                    identityId={chat.type === 'group' ? person.id : undefined}
                    unlinkedByHand={states
                      ?.find((state) => state.connection.id === connection.id)
                      ?.unlinked.find((u) => u.identityId === person.id)}
                    done={loadLinks}
                  />
                )}
              </div>
            );
          })}
        </section>
      ))}
      <NeverBackUp key={chat.id} chat={chat} states={states} onExcluded={() => void loadStates()} />
    </aside>
  );
}

/** A connection's part of the card starts with its name and kind, and says when its sync is paused. */
export function ConnectionHead({ connection }: { connection: Connection }) {
  return (
    <>
      <h3>
        <span className="connection-name">{connection.name}</span>{' '}
        <span className="tag">{connection.kind}</span>
      </h3>
      {connection.state === 'parked' ? (
        <Notice kind="error">
          Needs attention: {connection.parkedReason ?? 'the CRM refused wasync'}. The sync is paused until an
          admin fixes the connection.
        </Notice>
      ) : null}
    </>
  );
}

function Linked({
  chat,
  connection,
  capabilities,
  link,
  reload,
}: {
  chat: Chat;
  connection: Connection;
  capabilities: CrmKind['capabilities'];
  link: RecordLink;
  reload: () => Promise<RecordLink[]>;
}) {
  const [card, setCard] = useState<RecordCard>();
  const [message, setMessage] = useState<{ kind: 'error' | 'info' | 'success'; text: string }>();
  const [syncing, setSyncing] = useState(false);

  useEffect(() => {
    api<RecordCard>(
      'GET',
      `/connections/${connection.id}/records/${link.record.type}/${encodeURIComponent(link.record.id)}`,
    ).then(setCard, (failure) =>
      setMessage({ kind: 'error', text: `The CRM record could not be read: ${describe(failure)}` }),
    );
  }, [connection.id, link.record.type, link.record.id]);

  // After "Sync now", the run's end arrives as a live event for this connection.
  const waiting = useRef<ReturnType<typeof setTimeout>>(undefined);
  useLive((event) => {
    if (event.type !== 'sync' || event.connectionId !== connection.id || waiting.current === undefined)
      return;
    clearTimeout(waiting.current);
    waiting.current = undefined;
    setSyncing(false);
    // What the run did, in the line `wasync sync --once` prints.
    if (event.state === 'done')
      setMessage({ kind: 'success', text: event.summary ? `Synced: ${event.summary}.` : 'Synced.' });
    else if (event.state === 'parked')
      setMessage({ kind: 'error', text: 'The sync is paused until an admin fixes the connection.' });
    else if (event.state === 'retrying')
      setMessage({ kind: 'error', text: 'The CRM did not take everything; wasync tries again by itself.' });
    else setMessage({ kind: 'info', text: 'Another run was going on; it includes this chat.' });
    void reload();
  });
  useEffect(() => () => clearTimeout(waiting.current), []);

  const syncNow = async () => {
    setSyncing(true);
    setMessage({ kind: 'info', text: 'Syncing…' });
    // Waiting starts before the request: the run can end before its answer is read.
    clearTimeout(waiting.current);
    waiting.current = setTimeout(() => {
      waiting.current = undefined;
      setSyncing(false);
      setMessage({ kind: 'info', text: 'The sync is queued; the time above updates when it has run.' });
    }, 60_000);
    try {
      await api('POST', `/connections/${connection.id}/sync`);
    } catch (failure) {
      clearTimeout(waiting.current);
      waiting.current = undefined;
      setSyncing(false);
      setMessage({ kind: 'error', text: describe(failure) });
    }
  };

  const unlink = async () => {
    const query = new URLSearchParams({ connection: connection.id });
    if (chat.type === 'group') query.set('identityId', link.identity.id);
    try {
      await api('DELETE', `/chats/${chat.id}/links?${query}`);
      await reload();
    } catch (failure) {
      setMessage({ kind: 'error', text: describe(failure) });
    }
  };

  const name = card?.name ?? link.record.name ?? link.record.id;
  // In a group the person's name heads their part of the card already: the record's is said once.
  const named = chat.type === 'group' && name === link.identity.name;
  return (
    <div className="record">
      <div className="record-head">
        {named ? null : <span className="record-name">{name}</span>}
        <span className="tag">{link.record.type}</span>
      </div>
      <dl className="fields">
        {card?.company ? (
          <>
            <dt>Company</dt>
            <dd>{card.company}</dd>
          </>
        ) : null}
        {card?.owner ? (
          <>
            <dt>Owner</dt>
            <dd>{card.owner}</dd>
          </>
        ) : null}
        {card?.phones.length ? (
          <>
            <dt>Phone</dt>
            <dd>{formatPhones(card.phones, regionOfPhone(link.identity.phone))}</dd>
          </>
        ) : null}
        {card?.email ? (
          <>
            <dt>E-mail</dt>
            <dd>{card.email}</dd>
          </>
        ) : null}
        {card?.leadStatus ? (
          <>
            <dt>Lead status</dt>
            <dd>{card.leadStatus}</dd>
          </>
        ) : null}
        <dt>Last sync</dt>
        <dd data-testid="last-sync">{link.lastSyncedAt ? formatTime(link.lastSyncedAt) : 'Not yet'}</dd>
      </dl>
      {capabilities.deals && card?.openDeals.length ? (
        <>
          <h4>Open deals</h4>
          <ul className="plain">
            {card.openDeals.map((deal) => (
              <li key={deal.id}>
                <a href={deal.url} target="_blank" rel="noreferrer noopener">
                  {deal.name}
                </a>{' '}
                <span className="muted small">
                  {[deal.stage, deal.amount !== undefined ? deal.amount.toLocaleString() : undefined]
                    .filter(Boolean)
                    .join(' · ')}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {card?.latestNotes.length ? (
        <>
          <h4>Latest notes</h4>
          <ul className="plain notes">
            {card.latestNotes.map((note) => (
              <li key={note.id}>
                <span className="note-title">{note.title}</span>
                <span className="muted small"> · {formatTime(note.createdAt)}</span>
                <p className="small">{note.excerpt}</p>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
      <div className="buttons">
        <button type="button" className="primary" disabled={syncing} onClick={() => void syncNow()}>
          Sync now
        </button>
        {card ? (
          <a className="button" href={card.url} target="_blank" rel="noreferrer noopener">
            Open in CRM
          </a>
        ) : null}
        <button type="button" className="link" onClick={() => void unlink()}>
          Unlink
        </button>
      </div>
    </div>
  );
}

/** A group member's name, and their number beside it, each once. */
function PersonName({ person }: { person: Identity }) {
  const phone = person.phone ? formatPhone(person.phone) : undefined;
  return (
    <div className="person-name">
      {person.name ?? phone ?? 'Someone'}
      {person.name && phone ? <span className="muted small"> {phone}</span> : null}
    </div>
  );
}

/** A member listed twice in a group is one person: the card shows them once. */
function uniqueById(people: readonly Identity[]): Identity[] {
  return people.filter((person, index) => people.findIndex((other) => other.id === person.id) === index);
}
