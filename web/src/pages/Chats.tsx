import { useCallback, useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, describe } from '../api';
import { useConnections } from '../connections';
import { CRM_STATE_LABELS, CrmStateBadge } from '../crm-state';
import { useLive } from '../live';
import { formatPhone } from '../phone';
import type { Chat, ChatCrmState, Page } from '../types';
import { formatTime, Notice } from '../ui';

/** A chat as the list answers it: always with its links and its state on each connection. */
type ChatRow = Chat & { links: NonNullable<Chat['links']>; crm: ChatCrmState[] };

const STATES = Object.keys(CRM_STATE_LABELS) as ChatCrmState['state'][];

const PAGE = 100;

/** Every chat, newest first: the last message, whether it is in the CRM, when it last synced. */
export function ChatsPage() {
  const [chats, setChats] = useState<ChatRow[]>();
  const [more, setMore] = useState<string>();
  const [error, setError] = useState<string>();
  const [query, setQuery] = useState('');
  const current = useRef('');
  // The CRM state filter lives in the address, so the Sync page's counts link to it.
  const [params, setParams] = useSearchParams();
  const crm = STATES.find((state) => state === params.get('crm'));
  const connection = params.get('connection') ?? undefined;
  const { connections } = useConnections();
  const filter = `${crm ? `&crmState=${crm}` : ''}${crm && connection ? `&connectionId=${encodeURIComponent(connection)}` : ''}`;
  const filterRef = useRef(filter);
  filterRef.current = filter;

  const load = useCallback(async (q: string) => {
    current.current = q;
    const asked = filterRef.current;
    try {
      const page = await api<Page<ChatRow>>(
        'GET',
        `/chats?limit=${PAGE}${q ? `&q=${encodeURIComponent(q)}` : ''}${asked}`,
      );
      // A slower answer to an older search or filter does not overwrite a newer one.
      if (current.current !== q || filterRef.current !== asked) return;
      setChats(page.data);
      setMore(page.nextCursor);
      setError(undefined);
    } catch (failure) {
      setError(describe(failure));
    }
  }, []);

  // Searching asks the server (name or number), a moment after the typing stops.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new filter loads the list again
  useEffect(() => {
    const timer = setTimeout(() => void load(query.trim()), query ? 200 : 0);
    return () => clearTimeout(timer);
  }, [query, load, filter]);

  const loadMore = async () => {
    if (!more) return;
    const q = current.current;
    try {
      const page = await api<Page<ChatRow>>(
        'GET',
        `/chats?limit=${PAGE}&cursor=${encodeURIComponent(more)}${q ? `&q=${encodeURIComponent(q)}` : ''}${filterRef.current}`,
      );
      setChats((list) => [...(list ?? []), ...page.data]);
      setMore(page.nextCursor);
    } catch (failure) {
      setError(describe(failure));
    }
  };

  // New and changed chats appear as their messages arrive, and sync times as runs end; a burst of
  // events reloads the list once.
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  useLive(() => {
    clearTimeout(pending.current);
    pending.current = setTimeout(() => void load(current.current), 250);
  });
  useEffect(() => () => clearTimeout(pending.current), []);

  return (
    <section className="panel">
      <div className="panel-head">
        <h1>Chats</h1>
        <input
          type="search"
          className="search"
          placeholder="Search by name or number"
          aria-label="Search chats by name or number"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <select
          aria-label="Filter chats by CRM state"
          value={crm ?? ''}
          onChange={(event) => {
            const next = new URLSearchParams(params);
            if (event.target.value) next.set('crm', event.target.value);
            else next.delete('crm');
            setParams(next, { replace: true });
          }}
        >
          <option value="">All chats</option>
          {STATES.map((state) => (
            <option key={state} value={state}>
              {CRM_STATE_LABELS[state]}
            </option>
          ))}
        </select>
      </div>
      {crm && connection && connections ? (
        <p className="muted small">
          {CRM_STATE_LABELS[crm]} on {connections.find((c) => c.id === connection)?.name ?? 'one connection'}.{' '}
          <Link to={`/chats?crm=${crm}`}>On any connection</Link>
        </p>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      {chats === undefined && !error ? <p className="muted">Loading chats…</p> : null}
      {chats?.length === 0 && crm ? (
        <p className="empty">No chat is in the state “{CRM_STATE_LABELS[crm]}”.</p>
      ) : null}
      {chats?.length === 0 && !query.trim() && !crm ? (
        <p className="empty">
          No chats yet. They appear here as soon as a connected WhatsApp number receives or sends a message.
        </p>
      ) : null}
      {chats?.length === 0 && query.trim() && !crm ? (
        <p className="empty">No chat matches “{query.trim()}”.</p>
      ) : null}
      {chats && chats.length > 0 ? (
        <ul className="list" aria-label="Chats">
          {chats.map((chat) => (
            <li key={chat.id}>
              <Link to={`/chats/${chat.id}`} className="row row-link">
                <span className={`avatar ${chat.type}`} aria-hidden="true">
                  {(chat.title ?? '#').slice(0, 1).toUpperCase()}
                </span>
                <span className="row-main">
                  <span className="row-title">
                    {chat.title ?? (chat.partner?.phone ? formatPhone(chat.partner.phone) : 'Unnamed chat')}
                  </span>
                  <span className="row-sub">{preview(chat)}</span>
                </span>
                <span className="row-side">
                  <span className="row-meta">{formatTime(chat.lastMessage?.at ?? chat.lastMessageAt)}</span>
                  <CrmState chat={chat} />
                </span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
      {more ? (
        <button type="button" className="link" onClick={() => void loadMore()}>
          Show more chats
        </button>
      ) : null}
    </section>
  );
}

function preview(chat: ChatRow): string {
  const last = chat.lastMessage;
  const who = chat.type === 'group' ? 'Group' : chat.partner?.phone ? formatPhone(chat.partner.phone) : '';
  if (!last) return who;
  const body = last.deleted ? 'Message deleted' : (last.text ?? `[${last.type}]`);
  return `${last.fromMe ? 'You: ' : ''}${body}`;
}

/** Where the chat stands on each CRM connection: its own state, not anyone's latest sync. */
function CrmState({ chat }: { chat: ChatRow }) {
  if (chat.crm.length === 0) return <span className="crm-state not_in_crm">No CRM connected</span>;
  return (
    <>
      {chat.crm.map((state) => (
        <CrmStateBadge key={state.connection.id} state={state} named={chat.crm.length > 1} />
      ))}
    </>
  );
}
