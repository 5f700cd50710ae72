import { createContext, type ReactNode, useContext, useEffect, useRef, useState } from 'react';
import { followLiveEvents } from './live-stream';
import type { LiveEvent } from './types';

type Listener = (event: LiveEvent) => void;

const LiveContext = createContext<Set<Listener> | undefined>(undefined);

/**
 * One EventSource per signed-in page on GET /api/v1/events; components listen through useLive. The
 * browser reconnects by itself after a drop. It sends the page's session cookie: for a page that
 * reaches wasync with a token (configureApi), use StreamLiveProvider.
 */
export function LiveProvider({ children }: { children: ReactNode }) {
  const [listeners] = useState(() => new Set<Listener>());
  useEffect(() => {
    const source = new EventSource('/api/v1/events');
    const forward = (type: LiveEvent['type']) => (message: MessageEvent<string>) => {
      const event = { type, ...JSON.parse(message.data) } as LiveEvent;
      for (const listener of listeners) listener(event);
    };
    source.addEventListener('messages', forward('messages'));
    source.addEventListener('sync', forward('sync'));
    return () => source.close();
  }, [listeners]);
  return <LiveContext.Provider value={listeners}>{children}</LiveContext.Provider>;
}

/**
 * The same live events for useLive, read with fetch (followLiveEvents) so the request carries the
 * bearer token configureApi set: for the browser extension's pages, where no session cookie exists.
 * A refused token stops it (api()'s onSessionEnded listeners hear of a 401).
 */
export function StreamLiveProvider({ children }: { children: ReactNode }) {
  const [listeners] = useState(() => new Set<Listener>());
  useEffect(() => {
    const controller = new AbortController();
    followLiveEvents((event) => {
      for (const listener of listeners) listener(event);
    }, controller.signal).catch(() => undefined);
    return () => controller.abort();
  }, [listeners]);
  return <LiveContext.Provider value={listeners}>{children}</LiveContext.Provider>;
}

/** Calls `handler` on each live event (the latest handler, without resubscribing on every render). */
export function useLive(handler: Listener): void {
  const listeners = useContext(LiveContext);
  const latest = useRef(handler);
  latest.current = handler;
  useEffect(() => {
    if (!listeners) return;
    const listener: Listener = (event) => latest.current(event);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, [listeners]);
}
