import { useState } from 'react';
import { api, describe } from '../../api';
import { useUser } from '../../session';
import type { Schemas } from '../../types';
import { formatTime, Notice } from '../../ui';
import type { Account } from './Accounts';

type Coexistence = Schemas['CloudCoexistence'];
type SyncRequest = NonNullable<Coexistence['requests']['history']>;

const SYNC_NAMES = { smb_app_state_sync: 'Contacts', history: 'Chat history' } as const;

/**
 * A Cloud API number shared with the WhatsApp Business app: whether Meta was asked for its contacts and
 * chat history (with Meta's request ids), the history received per phase, and, for an admin while the
 * 24 hours after onboarding last, a button to ask again.
 */
export function CoexistenceStatus({ account, onChanged }: { account: Account; onChanged: () => void }) {
  const user = useUser();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const coexistence = account.cloud?.coexistence;
  if (!coexistence || !account.cloud) return null;
  const history = Object.entries(account.cloud.history).sort(([a], [b]) => Number(a) - Number(b));
  const ask = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/accounts/${encodeURIComponent(account.id)}/cloud/history-sync`, {});
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
      onChanged();
    }
  };
  return (
    <section className="coexistence" aria-label="Business app history">
      <p className="small">
        Shared with the WhatsApp Business app since {formatTime(coexistence.onboardedAt)}.{' '}
        {coexistence.windowOpen
          ? `Meta takes the history request until ${formatTime(coexistence.windowClosesAt)}.`
          : 'The 24 hours in which Meta takes the history request are over.'}
      </p>
      <ul className="small">
        {(['smb_app_state_sync', 'history'] as const).map((type) => (
          <li key={type}>
            {SYNC_NAMES[type]}: {requestState(coexistence.requests[type])}
          </li>
        ))}
        {history.map(([phase, p]) => (
          <li key={phase}>
            History phase {phase}: {p.chunks} {p.chunks === 1 ? 'chunk' : 'chunks'}, {p.progress}%
            {p.error ? ' (the business declined sharing history)' : ''}
          </li>
        ))}
      </ul>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {coexistence.windowOpen && user.role === 'admin' ? (
        <button type="button" disabled={busy} onClick={() => void ask()}>
          {busy ? 'Asking Meta…' : 'Request history'}
        </button>
      ) : null}
    </section>
  );
}

function requestState(request: SyncRequest | undefined): string {
  if (!request) return 'not asked yet';
  const failed = request.error ? `; last attempt failed: ${request.error}` : '';
  return request.state === 'requested'
    ? `asked ${formatTime(request.requestedAt)} (request id ${request.requestId})${failed}`
    : `not accepted: ${request.error ?? 'unknown error'}`;
}
