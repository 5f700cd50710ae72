import { useEffect, useState } from 'react';
import { api, describe } from './api';
import type { Connection } from './types';

/** The workspace's CRM connections, loaded once, and why they could not be, if so. */
export function useConnections(): { connections: Connection[] | undefined; error: string | undefined } {
  const [connections, setConnections] = useState<Connection[]>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<{ data: Connection[] }>('GET', '/connections').then(
      (result) => setConnections(result.data),
      (failure) => setError(describe(failure)),
    );
  }, []);
  return { connections, error };
}
