import { useState } from 'react';
import { useList } from './list';
import type { Connection } from './types';

/** The workspace's CRM connections, loaded once, and why they could not be, if so. */
export function useConnections(): { connections: Connection[] | undefined; error: string | undefined } {
  const [error, setError] = useState<string>();
  const { rows } = useList<Connection>('/connections', setError);
  return { connections: rows, error };
}
