import { useState } from 'react';
import { ApiError, api, describe } from '../api';
import { formatPhone } from '../phone';
import type { Chat, ChatCrmState } from '../types';
import { Notice } from '../ui';

/** Where admins lift an exclusion, as the app's navigation and the Setup page name it. */
const EXCLUSIONS_PAGE = 'Setup → Never back up';

/**
 * "Never back up this chat", once per chat: the partner's number (or the group) goes on the workspace's
 * exclusion list after a confirmation that says what that means. Any reader may, since it only narrows
 * what is backed up; lifting it stays with admins. The chat's states come from the card: once every one
 * says excluded (the server reckons it on read), the card says so instead of offering it.
 */
export function NeverBackUp({
  chat,
  states,
  onExcluded,
}: {
  chat: Chat;
  /** The chat's state on each connection, as the card shows them (undefined while loading). */
  states: readonly ChatCrmState[] | undefined;
  /** Called once the exclusion is made: the card reloads its states. */
  onExcluded: () => unknown;
}) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [made, setMade] = useState(false);

  const excluded = made || (states !== undefined && states.length > 0 && states.every(isExcluded));
  if (states === undefined && !made) return null;

  const what =
    chat.type === 'group'
      ? `The group ${chat.title ? `“${chat.title}”` : ''}`.trimEnd()
      : chat.partner?.phone
        ? formatPhone(chat.partner.phone)
        : "This person's number";

  const exclude = async () => {
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/chats/${chat.id}/exclusion`);
      setMade(true);
      setAsking(false);
      onExcluded();
    } catch (failure) {
      setError(
        failure instanceof ApiError && failure.code === 'phone_not_shared'
          ? "WhatsApp has not shared this person's number, only a linked id, and the exclusion list holds numbers: this chat cannot be excluded until their number is known."
          : `The chat could not be excluded: ${describe(failure)}`,
      );
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="never-back-up" aria-label="Never back up">
      {excluded ? (
        <p className="small" data-testid="chat-excluded">
          Never backed up: the workspace's exclusion list holds this chat, so nothing more of it is written to
          any CRM. An admin can lift it under {EXCLUSIONS_PAGE}.
        </p>
      ) : asking ? (
        <fieldset className="confirm" aria-label="Never back up this chat?">
          <p className="small">
            {what} goes on the workspace's exclusion list: nothing more of this chat is written to any CRM
            (what a CRM has already stays there). Only an admin can lift it, under {EXCLUSIONS_PAGE}.
          </p>
          <div className="buttons">
            <button type="button" className="danger" disabled={busy} onClick={() => void exclude()}>
              {busy ? 'Excluding…' : 'Yes, never back up'}
            </button>
            <button type="button" disabled={busy} onClick={() => setAsking(false)}>
              Cancel
            </button>
          </div>
        </fieldset>
      ) : (
        <div className="buttons">
          <button
            type="button"
            className="link"
            onClick={() => {
              setError(undefined);
              setAsking(true);
            }}
          >
            Never back up this chat
          </button>
        </div>
      )}
      {error ? <Notice kind="error">{error}</Notice> : null}
    </section>
  );
}

const isExcluded = (state: ChatCrmState) => state.state === 'excluded';
