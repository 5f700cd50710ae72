import { useState } from 'react';
import { useList } from './list';
import type { Connection, CrmKind } from './types';

/** The workspace's CRM connections, loaded once, and why they could not be, if so. */
export function useConnections(): { connections: Connection[] | undefined; error: string | undefined } {
  const [error, setError] = useState<string>();
  const { rows } = useList<Connection>('/connections', setError);
  return { connections: rows, error };
}

/** The kinds of CRM the server connects (GET /crm-kinds), loaded once. */
export function useCrmKinds(onError: (message: string) => void): CrmKind[] | undefined {
  return useList<CrmKind>('/crm-kinds', onError).rows;
}

/**
 * What a connection's kind has: leads, deals. Until the kinds are loaded (or for a kind the server
 * no longer lists) everything is offered, and the server refuses what the CRM has not.
 */
export function capabilitiesOf(kinds: readonly CrmKind[] | undefined, kind: string): CrmKind['capabilities'] {
  return kinds?.find((k) => k.kind === kind)?.capabilities ?? { leads: true, deals: true };
}
