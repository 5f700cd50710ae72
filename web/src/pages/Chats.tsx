import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, describe } from '../api';
import { useLive } from '../live';
import { formatTime, Notice } from '../ui';

interface Chat {
  id: string;
  type: 'direct' | 'group';
  title?: string;
  partner?: { phone?: string; displayName?: string };
  lastMessageAt?: string;
}

interface Page<T> {
  data: T[];
  nextCursor?: string;
}

/** Every chat wasync holds, newest first, with a filter by name or number. */
export function ChatsPage() {
  const [chats, setChats] = useState<Chat[]>();
  const [error, setError] = useState<string>();
  const [query, setQuery] = useState('');

  const load = useCallback(async () => {
    try {
      const all: Chat[] = [];
      let cursor: string | undefined;
      do {
        const page = await api<Page<Chat>>(
          'GET',
          `/chats?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        );
        all.push(...page.data);
        cursor = page.nextCursor;
      } while (cursor && all.length < 5_000);
      setChats(all);
      setError(undefined);
    } catch (failure) {
      setError(describe(failure));
    }
  }, []);
  useEffect(() => void load(), [load]);

  // New and changed chats appear as their messages arrive, a burst of them reloading the list once.
  const pending = useRef<ReturnType<typeof setTimeout>>(undefined);
  useLive((event) => {
    if (event.type !== 'messages') return;
    clearTimeout(pending.current);
    pending.current = setTimeout(() => void load(), 250);
  });
  useEffect(() => () => clearTimeout(pending.current), []);

  const shown = useMemo(() => {
    const q = query.trim().toLowerCase();
    const digits = q.replace(/\D/g, '');
    return (chats ?? [])
      .filter(
        (chat) =>
          q === '' ||
          (chat.title ?? '').toLowerCase().includes(q) ||
          (digits !== '' && (chat.partner?.phone ?? '').replace(/\D/g, '').includes(digits)),
      )
      .sort((a, b) => (b.lastMessageAt ?? '').localeCompare(a.lastMessageAt ?? ''));
  }, [chats, query]);

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
      {chats?.length === 0 ? (
        <p className="empty">
          No chats yet. They appear here as soon as a connected WhatsApp number receives or sends a message.
        </p>
      ) : null}
      {chats && chats.length > 0 && shown.length === 0 ? (
        <p className="empty">No chat matches “{query}”.</p>
      ) : null}
      {shown.length > 0 ? (
        <ul className="list" aria-label="Chats">
          {shown.map((chat) => (
            <li key={chat.id}>
              <Link to={`/chats/${chat.id}`} className="row row-link">
                <span className={`avatar ${chat.type}`} aria-hidden="true">
                  {(chat.title ?? '#').slice(0, 1).toUpperCase()}
                </span>
                <span className="row-main">
                  <span className="row-title">{chat.title ?? chat.partner?.phone ?? 'Unnamed chat'}</span>
                  <span className="row-sub">
                    {chat.type === 'group' ? 'Group' : (chat.partner?.phone ?? '')}
                  </span>
                </span>
                <span className="row-meta">{formatTime(chat.lastMessageAt)}</span>
              </Link>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
