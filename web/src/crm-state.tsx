/**
 * A chat's state on a CRM connection, in words: the chat list's badge, and the card's line with what
 * of the chat's history is in the CRM and the actions that change it.
 */
import { useState } from 'react';
import { api, describe } from './api';
import type { ChatCrmState } from './types';
import { formatTime, Notice } from './ui';

export const CRM_STATE_LABELS: Record<ChatCrmState['state'], string> = {
  in_crm: 'In CRM',
  waiting: 'Waiting',
  failed: 'Failed',
  not_in_crm: 'Not in CRM',
  excluded: 'Excluded',
};

/** "in 2 min", "in 1 h", "now": how far away a time is. */
export function fromNow(iso: string | undefined, now = Date.now()): string {
  if (!iso) return 'when one is queued';
  const minutes = Math.round((Date.parse(iso) - now) / 60_000);
  if (minutes <= 0) return 'now';
  if (minutes < 60) return `in ${minutes} min`;
  const hours = Math.round(minutes / 60);
  return `in ${hours} h`;
}

/** The short words of the chat list's badge. */
export function badgeText(state: ChatCrmState): string {
  switch (state.state) {
    case 'in_crm':
      return state.upTo ? `In CRM up to ${formatTime(state.upTo)}` : 'In CRM';
    case 'waiting':
      return `Waiting (${fromNow(state.nextRunAt)})`;
    case 'failed':
      return 'Failed';
    case 'excluded':
      return 'Excluded';
    default:
      return state.unlinked.length > 0 ? 'Unlinked by hand' : 'Not in CRM';
  }
}

/** The card's full sentence. */
export function stateSentence(state: ChatCrmState): string {
  switch (state.state) {
    case 'in_crm':
      return state.upTo ? `In CRM up to ${formatTime(state.upTo)}.` : 'In CRM.';
    case 'waiting':
      return `Waiting for the next run (${fromNow(state.nextRunAt)}).`;
    case 'failed':
      return `Failed: ${state.reason ?? 'the CRM did not take it'}${state.retryAt ? ` (tried again ${fromNow(state.retryAt)})` : ''}.`;
    case 'excluded':
      return `Excluded: ${state.reason ?? 'on the exclusion list'}; never written to the CRM.`;
    default:
      return `Not in CRM: ${state.reason ?? 'nobody of this chat has a record'}`;
  }
}

export function CrmStateBadge({ state, named }: { state: ChatCrmState; named: boolean }) {
  const text = badgeText(state);
  return (
    <span
      className={`crm-state ${state.state}`}
      title={`${state.connection.name}: ${stateSentence(state)}`}
      data-state={state.state}
    >
      {named ? `${state.connection.name}: ${text}` : text}
    </span>
  );
}

/**
 * The card's line for one connection: the state, what of the history went ("backed up from 3 May;
 * 214 older messages not sent") with "Send older history".
 */
export function ChatCrmLine({
  chatId,
  state,
  onChange,
}: {
  chatId: string;
  state: ChatCrmState;
  onChange: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const history = state.history;
  const sendOlder = async () => {
    setBusy(true);
    try {
      await api('POST', `/chats/${chatId}/history`);
      setError(undefined);
      onChange();
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className={`crm-line ${state.state}`} data-testid="crm-state">
      <p className="small">
        <CrmStateBadge state={state} named={false} /> {stateSentence(state)}
      </p>
      {history && history.olderNotSent > 0 ? (
        <p className="small" data-testid="older-history">
          {history.firstSentAt
            ? `Backed up from ${formatTime(history.firstSentAt)}; `
            : 'Nothing backed up yet; '}
          {history.olderNotSent} older {history.olderNotSent === 1 ? 'message' : 'messages'} not sent.{' '}
          <button type="button" className="link" disabled={busy} onClick={() => void sendOlder()}>
            Send older history
          </button>
        </p>
      ) : null}
      {history && history.olderNotSent === 0 && history.asked && history.firstSentAt ? (
        <p className="small muted">Backed up in full, from {formatTime(history.firstSentAt)}.</p>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
    </div>
  );
}
