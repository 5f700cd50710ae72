import { Fragment, useCallback, useEffect, useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { api, describe } from '../api';
import { useLive } from '../live';
import { formatPhone, formatPhones } from '../phone';
import type { Chat, Message, Page } from '../types';
import { Notice } from '../ui';
import { CrmCard } from './CrmCard';

/** One chat: the conversation, and beside it the CRM card of the person (or people) in it. */
export function ChatViewPage() {
  const { chatId = '' } = useParams();
  const [chat, setChat] = useState<Chat>();
  const [messages, setMessages] = useState<Message[]>();
  const [older, setOlder] = useState<string>();
  const [error, setError] = useState<string>();

  const load = useCallback(async () => {
    try {
      const [detail, page] = await Promise.all([
        api<Chat>('GET', `/chats/${chatId}`),
        api<Page<Message>>('GET', `/chats/${chatId}/messages?order=desc&limit=200`),
      ]);
      setChat(detail);
      setMessages([...page.data].reverse());
      setOlder(page.nextCursor);
    } catch (failure) {
      setError(describe(failure));
    }
  }, [chatId]);
  useEffect(() => void load(), [load]);
  // New messages, edits and reactions of this chat show as they arrive.
  useLive((event) => {
    if (event.type === 'messages' && event.chatIds.includes(chatId)) void load();
  });

  const loadOlder = async () => {
    if (!older) return;
    try {
      const page = await api<Page<Message>>(
        'GET',
        `/chats/${chatId}/messages?order=desc&limit=200&cursor=${encodeURIComponent(older)}`,
      );
      setMessages((current) => [...[...page.data].reverse(), ...(current ?? [])]);
      setOlder(page.nextCursor);
    } catch (failure) {
      setError(describe(failure));
    }
  };

  if (error) {
    return (
      <section className="panel">
        <Notice kind="error">{error}</Notice>
        <Link to="/chats">Back to the chats</Link>
      </section>
    );
  }
  if (!chat || !messages) return <p className="muted">Loading the chat…</p>;
  const title = chat.title ?? (chat.partner?.phone ? formatPhone(chat.partner.phone) : 'Chat');
  return (
    <div className="chat-layout">
      <section className="panel conversation" aria-labelledby="chat-title">
        <div className="panel-head">
          <div>
            <Link to="/chats" className="back">
              ← Chats
            </Link>
            <h1 id="chat-title">{title}</h1>
            <p className="muted small">
              {chat.type === 'group'
                ? `Group · ${chat.participants?.length ?? 0} people`
                : chat.partner?.phone
                  ? formatPhone(chat.partner.phone)
                  : (chat.partner?.username ?? '')}
            </p>
          </div>
        </div>
        {older ? (
          <button type="button" className="link" onClick={() => void loadOlder()}>
            Load earlier messages
          </button>
        ) : null}
        <Conversation chat={chat} messages={messages} />
      </section>
      <CrmCard chat={chat} />
    </div>
  );
}

function Conversation({ chat, messages }: { chat: Chat; messages: Message[] }) {
  const bySource = useMemo(() => new Map(messages.map((m) => [m.sourceId, m])), [messages]);
  const names = useMemo(
    () =>
      new Map(
        (chat.participants ?? []).map((p) => [p.id, p.name ?? (p.phone ? formatPhone(p.phone) : 'Someone')]),
      ),
    [chat.participants],
  );
  if (messages.length === 0) return <p className="empty">No messages in this chat yet.</p>;
  let lastDay = '';
  return (
    <ol className="messages" aria-label="Messages">
      {messages.map((message) => {
        const day = new Date(message.timestamp).toDateString();
        const divider = day !== lastDay;
        lastDay = day;
        return (
          <Fragment key={message.id}>
            {divider ? (
              <li className="day" aria-hidden="true">
                {new Date(message.timestamp).toLocaleDateString(undefined, {
                  weekday: 'short',
                  day: 'numeric',
                  month: 'short',
                  year: 'numeric',
                })}
              </li>
            ) : null}
            <MessageItem
              chat={chat}
              message={message}
              quoted={message.replyTo ? bySource.get(message.replyTo) : undefined}
              sender={
                message.fromMe
                  ? 'You'
                  : (message.senderName ?? (message.senderId ? names.get(message.senderId) : undefined))
              }
            />
          </Fragment>
        );
      })}
    </ol>
  );
}

function MessageItem({
  chat,
  message,
  quoted,
  sender,
}: {
  chat: Chat;
  message: Message;
  quoted: Message | undefined;
  sender: string | undefined;
}) {
  if (message.type === 'system') {
    return <li className="system">{message.text ?? 'A change to the chat'}</li>;
  }
  const time = new Date(message.timestamp).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
  });
  return (
    <li className={`message ${message.fromMe ? 'mine' : 'theirs'}`}>
      <div className="bubble">
        {chat.type === 'group' && !message.fromMe && sender ? <div className="sender">{sender}</div> : null}
        {message.replyTo ? (
          <blockquote className="quote">
            {quoted ? (quoted.text ?? `[${quoted.type}]`) : 'A message not in this view'}
          </blockquote>
        ) : null}
        {message.deletedAt ? (
          <p className="deleted">This message was deleted</p>
        ) : (
          <>
            <MediaPreview chatId={chat.id} message={message} />
            <Body message={message} />
          </>
        )}
        <div className="meta">
          {message.editedAt && !message.deletedAt ? <span>edited</span> : null}
          <time dateTime={message.timestamp}>{time}</time>
          {message.fromMe && message.delivery ? (
            <span title={message.delivery.status}>{ticks(message.delivery.status)}</span>
          ) : null}
        </div>
      </div>
      {message.reactions.length > 0 ? (
        <div className="reactions">
          <span className="visually-hidden">Reactions: </span>
          {message.reactions.map((r) => (
            <span key={`${r.senderId ?? 'me'}-${r.emoji}`} className="reaction">
              {r.emoji}
            </span>
          ))}
        </div>
      ) : null}
    </li>
  );
}

function ticks(status: string): string {
  if (status === 'failed') return '!';
  if (status === 'sent') return '✓';
  return '✓✓';
}

function Body({ message }: { message: Message }) {
  const details = message.details ?? {};
  if (message.type === 'location') {
    const location = details.location as
      | { latitude?: number; longitude?: number; name?: string; url?: string }
      | undefined;
    const href =
      location?.url ??
      (location?.latitude !== undefined
        ? `https://www.openstreetmap.org/?mlat=${location.latitude}&mlon=${location.longitude}#map=16/${location.latitude}/${location.longitude}`
        : undefined);
    return (
      <p>
        📍{' '}
        {href ? (
          <a href={href} target="_blank" rel="noreferrer noopener">
            {location?.name ?? message.text ?? 'Location'}
          </a>
        ) : (
          (message.text ?? 'Location')
        )}
      </p>
    );
  }
  if (message.type === 'contacts') {
    const contacts = (details.contacts as { name?: string; phones?: string[] }[] | undefined) ?? [];
    return (
      <ul className="contact-cards">
        {contacts.map((c, i) => (
          // Contact cards have no ids of their own.
          // biome-ignore lint/suspicious/noArrayIndexKey: order is fixed for a message
          <li key={i}>
            👤 {c.name ?? 'Contact'}{' '}
            {c.phones?.length ? <span className="muted">{formatPhones(c.phones)}</span> : null}
          </li>
        ))}
      </ul>
    );
  }
  if (message.text) return <p className="text">{message.text}</p>;
  if (message.type === 'unsupported') return <p className="muted">A message WhatsApp did not pass on</p>;
  return null;
}

function MediaPreview({ chatId, message }: { chatId: string; message: Message }) {
  const media = message.media;
  if (!media) {
    if (message.details?.mediaOmitted) return <p className="muted small">Media left out of the export</p>;
    return null;
  }
  if (media.state === 'pending') return <p className="media-state">Downloading the {message.type}…</p>;
  if (media.state === 'failed') {
    return (
      <p className="media-state failed">
        The {message.type} could not be fetched: {media.failure ?? 'unknown error'}
      </p>
    );
  }
  const url = `/api/v1/chats/${chatId}/messages/${message.id}/media`;
  const type = media.mimeType ?? '';
  if (type.startsWith('image/') && type !== 'image/svg+xml') {
    return (
      <a href={url} target="_blank" rel="noreferrer">
        <img
          className="media-image"
          src={url}
          alt={message.text ? `Image: ${message.text}` : 'Image'}
          loading="lazy"
        />
      </a>
    );
  }
  if (type.startsWith('video/')) {
    // biome-ignore lint/a11y/useMediaCaption: WhatsApp videos carry no caption track
    return <video className="media-video" src={url} controls preload="metadata" />;
  }
  if (type.startsWith('audio/')) {
    // biome-ignore lint/a11y/useMediaCaption: WhatsApp voice notes carry no caption track
    return <audio src={url} controls preload="metadata" />;
  }
  return (
    <a className="file" href={url}>
      📄 {media.fileName ?? 'File'}
      {media.size ? <span className="muted"> · {formatSize(media.size)}</span> : null}
    </a>
  );
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 ** 2) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}
