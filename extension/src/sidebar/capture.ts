import { useEffect, useRef, useState } from 'react';
import { ApiError, api, describe } from '../../../web/src/api';
import type { Account } from '../../../web/src/types';
import { phoneFromText } from '../dom-chat';
import type { PageMessage } from '../dom-messages';

/** The REST ingest's limit per batch. */
const BATCH = 100;

/** The header that tells wasync a batch comes from the extension (checked against the workspace's setting). */
const FROM_EXTENSION = { 'x-wasync-client': 'extension' };

/** A jid as the ingest's party: a number (`+<digits>`) or a linked id. */
function party(jid: string, name?: string) {
  const [user = '', server] = jid.split('@');
  const digits = user.split(':')[0] ?? '';
  const named = name && !phoneFromText(name) ? { name } : {};
  return server === 'lid' ? { lid: `${digits}@lid`, ...named } : { phone: `+${digits}`, ...named };
}

/** A message read off the page as a REST ingest item, keyed by WhatsApp's own message id. */
export function ingestItem(message: PageMessage) {
  const group = message.chat.endsWith('@g.us');
  return {
    id: message.id,
    chat: group
      ? { type: 'group' as const, id: message.chat }
      : { type: 'direct' as const, with: party(message.chat) },
    timestamp: message.timestamp,
    fromMe: message.fromMe,
    text: message.text,
    ...(group && !message.fromMe && message.participant
      ? { from: party(message.participant, message.sender) }
      : {}),
  };
}

export type CaptureState =
  | { state: 'sending' | 'idle'; sent: number }
  | { state: 'stopped'; reason: string }
  | { state: 'no-account' };

/**
 * Capture while open: posts the messages the content script hands over to the REST ingest of the
 * wasync number WhatsApp Web is signed in with, marked as the extension's. wasync refuses them while the
 * workspace has capture turned off, or into a number whose message ids are not WhatsApp Web's; the
 * capture then stops and says why. Other failures keep the messages for the next hand-over.
 */
export function useCapture(
  enabled: boolean,
  account: Account | undefined,
  subscribe: (listener: (messages: PageMessage[]) => void) => () => void,
): CaptureState | undefined {
  const [state, setState] = useState<CaptureState>();
  const pending = useRef<PageMessage[]>([]);
  const stopped = useRef(false);
  useEffect(() => {
    if (!enabled) return setState(undefined);
    if (!account) return setState({ state: 'no-account' });
    stopped.current = false;
    let sent = 0;
    let sending = false;
    setState({ state: 'idle', sent });
    const flush = async () => {
      if (sending || stopped.current) return;
      sending = true;
      try {
        while (pending.current.length > 0 && !stopped.current) {
          const batch = pending.current.slice(0, BATCH);
          setState({ state: 'sending', sent });
          await api(
            'POST',
            `/accounts/${account.id}/messages`,
            { messages: batch.map(ingestItem) },
            { headers: FROM_EXTENSION },
          );
          pending.current = pending.current.slice(batch.length);
          sent += batch.length;
        }
        if (!stopped.current) setState({ state: 'idle', sent });
      } catch (failure) {
        if (
          failure instanceof ApiError &&
          (failure.code === 'extension_capture_off' || failure.code === 'extension_capture_unsupported')
        ) {
          stopped.current = true;
          pending.current = [];
          setState({ state: 'stopped', reason: describe(failure) });
        } else {
          // A batch wasync refuses as it is (400) would be refused again: it is dropped, the rest goes on.
          if (failure instanceof ApiError && failure.status === 400)
            pending.current = pending.current.slice(BATCH);
          setState({ state: 'idle', sent });
        }
      } finally {
        sending = false;
      }
    };
    const unsubscribe = subscribe((messages) => {
      if (stopped.current) return;
      pending.current.push(...messages);
      void flush();
    });
    return unsubscribe;
  }, [enabled, account, subscribe]);
  return state;
}
