import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api, onSessionEnded, rememberCsrf, type Session, type User } from './api';
import type { Answer } from './types';

/**
 * Who is signed in. `state` is 'loading' until the first answer, then 'first-run' (the workspace
 * has no user yet), 'signed-out' (with why, when a session just ended) or 'signed-in'.
 */
type SessionState =
  | { state: 'loading' }
  | { state: 'first-run' }
  | { state: 'signed-out'; reason?: 'expired' | 'signed-out' }
  | { state: 'signed-in'; user: User };

interface SessionContextValue {
  session: SessionState;
  signedIn(session: Session): void;
  signOut(): Promise<void>;
}

const SessionContext = createContext<SessionContextValue | undefined>(undefined);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionState>({ state: 'loading' });

  useEffect(() => {
    let cancelled = false;
    api<Answer<'/setup', 'get'>>('GET', '/setup').then(
      (start) => {
        if (cancelled) return;
        if (start.session) {
          rememberCsrf(start.session.csrfToken);
          setSession({ state: 'signed-in', user: start.session.user });
        } else setSession(start.needsFirstAdmin ? { state: 'first-run' } : { state: 'signed-out' });
      },
      () => !cancelled && setSession({ state: 'signed-out' }),
    );
    return () => {
      cancelled = true;
    };
  }, []);

  useEffect(
    () =>
      onSessionEnded(() => {
        rememberCsrf(undefined);
        setSession((current) =>
          current.state === 'signed-in' ? { state: 'signed-out', reason: 'expired' } : current,
        );
      }),
    [],
  );

  const signedIn = useCallback((next: Session) => {
    rememberCsrf(next.csrfToken);
    setSession({ state: 'signed-in', user: next.user });
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api('DELETE', '/session');
    } finally {
      rememberCsrf(undefined);
      setSession({ state: 'signed-out', reason: 'signed-out' });
    }
  }, []);

  const value = useMemo(() => ({ session, signedIn, signOut }), [session, signedIn, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error('useSession outside SessionProvider');
  return value;
}

/** The signed-in user; only for screens behind the sign-in. */
export function useUser(): User {
  const { session } = useSession();
  if (session.state !== 'signed-in') throw new Error('useUser while not signed in');
  return session.user;
}
