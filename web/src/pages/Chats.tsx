import { useCallback, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, describe } from '../api';
import { useLive } from '../live';
import { formatPhone } from '../phone';
import type { Chat, Page } from '../types';
import { formatTime, Notice } from '../ui';

/** A chat as the list answers it: always with its links. */
type ChatRow = Chat & { links: NonNullable<Chat['links']> };

const PAGE = 100;

/** Every chat, newest first: the last message, whether it is in the CRM, when it last synced. */
export function ChatsPage() {
  const [chats, setChats] = useState<ChatRow[]>();
  const [more, setMore] = useState<string>();
  const [error, setError] = useState<string>();
  const [query, setQuery] = useState('');
  const current = useRef('');

  const load = useCallback(async (q: string) => {
    current.current = q;
    try {
      const page = await api<Page<ChatRow>>(
        'GET',
        `/chats?limit=${PAGE}${q ? `&q=${encodeURIComponent(q)}` : ''}`,
      );
      // A slower answer to an older search does not overwrite a newer one.
      if (current.current !== q) return;
      setChats(page.data);
      setMore(page.nextCursor);
      setError(undefined);
    } catch (failure) {
      setError(describe(failure));
    }
  }, []);

  // Searching asks the server (name or number), a moment after the typing stops.
  useEffect(() => {
    const timer = setTimeout(() => void load(query.trim()), query ? 200 : 0);
    return () => clearTimeout(timer);
  }, [query, load]);

  const loadMore = async () => {
    if (!more) return;
    const q = current.current;
    try {
      const page = await api<Page<ChatRow>>(
        'GET',
        `/chats?limit=${PAGE}&cursor=${encodeURIComponent(more)}${q ? `&q=${encodeURIComponent(q)}` : ''}`,
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
      </div>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {chats === undefined && !error ? <p className="muted">Loading chats…</p> : null}
      {chats?.length === 0 && !query.trim() ? (
        <p className="empty">
          No chats yet. They appear here as soon as a connected WhatsApp number receives or sends a message.
        </p>
      ) : null}
      {chats?.length === 0 && query.trim() ? (
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

/** Whether the chat's people are in the CRM, and when it last synced there. */
function CrmState({ chat }: { chat: ChatRow }) {
  if (chat.links.length === 0) return <span className="crm-state none">Not in CRM</span>;
  const synced = chat.links
    .map((link) => link.lastSyncedAt)
    .filter((at): at is string => at !== undefined)
    .sort()
    .at(-1);
  const names = [...new Set(chat.links.map((link) => link.record.name ?? link.record.type))].join(', ');
  return (
    <span className="crm-state linked" title={`In the CRM as ${names}`}>
      {synced ? `Synced ${formatTime(synced)}` : 'Linked, not synced yet'}
    </span>
  );
}
