import { useEffect, useRef, useState } from 'react';
import { ApiError, api, describe } from '../api';
import { capabilitiesOf, useCrmKinds } from '../connections';
import { formatPhone } from '../phone';
import type { Chat, Connection, Schemas } from '../types';
import { Notice } from '../ui';
import { ConnectionHead } from './CrmCard';
import { Unlinked } from './Unlinked';

type GroupChatInput = Extract<Schemas['ChatInput'], { type: 'group' }>;

/**
 * A chat wasync has not captured yet, in the REST ingest's shape (what `POST /accounts/{id}/chats`
 * takes): a direct chat with the person the page shows, or a group with its id, title and members.
 */
export type UncapturedChat =
  | {
      type: 'direct';
      with: {
        /** E.164 (`+4915112345678`), as the lookup's `keys.phone` gives it. */
        phone?: string | undefined;
        /** `<digits>@lid`. */
        lid?: string | undefined;
        name?: string | undefined;
      };
    }
  | GroupChatInput;

export interface UncapturedCardProps {
  /** The WhatsApp number (wasync account) the chat is made on; see `accountForPhone`. */
  accountId: string;
  chat: UncapturedChat;
  /** The chat is made (and, for a person, their record created or linked): show its CrmCard. */
  onCaptured(chat: Chat): void;
}

/**
 * The card beside a chat the lookup did not find (`chats: []`): for a person, per connection, create a
 * contact or lead or link an existing record, each of which first makes the chat; for a group, make
 * the chat with its members, whose records the CrmCard then offers one by one.
 */
export function UncapturedCard(props: UncapturedCardProps) {
  // Another chat opened starts afresh: no form left open, no chat of the last one remembered.
  return <ForChat key={JSON.stringify([props.accountId, props.chat])} {...props} />;
}

function ForChat({ accountId, chat, onCaptured }: UncapturedCardProps) {
  const [connections, setConnections] = useState<Connection[]>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const kinds = useCrmKinds(setError);
  // The chat as the last making of it answered: handed on once the record is there.
  const made = useRef<Chat>(undefined);

  useEffect(() => {
    api<{ data: Connection[] }>('GET', '/connections').then(
      (result) => setConnections(result.data),
      (failure) => setError(describe(failure)),
    );
  }, []);

  /** Makes the chat (idempotent on the server: a chat there already is answered as it is). */
  const capture = async (input: UncapturedChat): Promise<Chat> => {
    const answered = await api<Chat>('POST', `/accounts/${accountId}/chats`, { chat: input });
    made.current = answered;
    return answered;
  };

  const addGroup = async () => {
    setBusy(true);
    setError(undefined);
    try {
      onCaptured(await capture(chat));
    } catch (failure) {
      setError(explainCapture(failure));
    } finally {
      setBusy(false);
    }
  };

  const partner = chat.type === 'direct' ? chat.with : undefined;
  const chatId = async (entered: { phone?: string }) => {
    if (!partner) throw new Error('not a direct chat');
    const phone = partner.phone ?? entered.phone;
    return (await capture({ type: 'direct', with: { ...partner, ...(phone ? { phone } : {}) } })).id;
  };
  const done = async () => {
    if (made.current) onCaptured(made.current);
  };

  return (
    <aside className="panel card" aria-labelledby="card-title">
      <h2 id="card-title">In the CRM</h2>
      <p className="muted small" data-testid="not-captured">
        wasync has not captured this chat yet.
      </p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {chat.type === 'group' ? (
        <div className="buttons">
          <button type="button" className="primary" disabled={busy} onClick={() => void addGroup()}>
            {busy ? 'Adding…' : 'Add this group to wasync'}
          </button>
        </div>
      ) : null}
      {partner && connections === undefined && !error ? <p className="muted">Loading…</p> : null}
      {partner && connections?.length === 0 ? (
        <p className="muted">No CRM is connected yet. An admin connects one under Setup.</p>
      ) : null}
      {partner
        ? connections?.map((connection) => (
            <section key={connection.id} className="connection" aria-label={connection.name}>
              <ConnectionHead connection={connection} />
              <div className="person">
                <Unlinked
                  chatId={chatId}
                  connection={connection}
                  capabilities={capabilitiesOf(kinds, connection.kind)}
                  person={{ key: 'partner', name: partner.name, phone: partner.phone }}
                  askNumber={!partner.phone}
                  searchFor={partner.phone ? formatPhone(partner.phone) : partner.name}
                  explain={explainCapture}
                  done={done}
                />
              </div>
            </section>
          ))
        : null}
    </aside>
  );
}

/**
 * The account a chat open in WhatsApp Web is made on: the one with the number WhatsApp Web is signed
 * in with (`ownPhone`, digits with the country code, or E.164); when the page does not say, the only one
 * the caller reads. Undefined when that does not decide it, the rep then chooses; a signed-in number no
 * account has decides nothing, as the chat would land on another number's account.
 */
export function accountForPhone<A extends { id: string; phone: string }>(
  accounts: readonly A[],
  ownPhone: string | undefined,
): A | undefined {
  const digits = (phone: string) => phone.replace(/\D/g, '');
  const own = ownPhone === undefined ? '' : digits(ownPhone);
  if (own) return accounts.find((account) => digits(account.phone) === own);
  return accounts.length === 1 ? accounts[0] : undefined;
}

/** A refusal to make the chat, or to create or link its record, in words for the rep. */
function explainCapture(failure: unknown): string {
  if (failure instanceof ApiError && failure.code === 'person_erased') {
    return 'This person was erased from wasync at their request: nothing of their chats is kept, so no record can be made or linked from here. An admin can lift the block on the Privacy page.';
  }
  return describe(failure);
}
