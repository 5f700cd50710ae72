import { useEffect, useState } from 'react';
import { api, configureApi, describe, onSessionEnded } from '../../../web/src/api';
import { StreamLiveProvider } from '../../../web/src/live';
import { CrmCard } from '../../../web/src/pages/CrmCard';
import { accountForPhone, UncapturedCard, type UncapturedChat } from '../../../web/src/pages/UncapturedCard';
import type { Account, Chat, ChatLookup } from '../../../web/src/types';
import { Brand, Notice } from '../../../web/src/ui';
import type { ActiveChat } from '../active-chat';
import { phoneFromText } from '../dom-chat';
import type { PageMessage } from '../dom-messages';
import { onSettingsChanged, readSettings, type Settings } from '../settings';
import { type CaptureState, useCapture } from './capture';
import { type ChatReport, connection } from './connection';

/**
 * The sidebar beside WhatsApp Web: the CRM card of the chat open there, from the rep's wasync server
 * and with their token. Before sign-in it asks for it; with the token refused (revoked, expired) it
 * says so.
 */
export function Sidebar() {
  const settings = useSettings();
  const active = useActiveChat();
  const hide = () => connection.send({ type: 'hide' });
  return (
    <div className="sidebar-shell">
      <header className="sidebar-top">
        <Brand />
        <button type="button" className="link" onClick={hide} aria-label="Hide the wasync sidebar">
          Hide
        </button>
      </header>
      <main className="sidebar-body">
        {settings === undefined ? null : settings.serverUrl && settings.token ? (
          <SignedIn
            key={`${settings.serverUrl} ${settings.token}`}
            serverUrl={settings.serverUrl}
            token={settings.token}
            active={active}
            capture={!!settings.capture}
            onMessages={connection.onMessages}
          />
        ) : (
          <SignInFirst />
        )}
      </main>
    </div>
  );
}

function useSettings(): Settings | undefined {
  const [settings, setSettings] = useState<Settings>();
  useEffect(() => {
    void readSettings().then(setSettings);
    return onSettingsChanged(setSettings);
  }, []);
  return settings;
}

type MessagesListener = (messages: PageMessage[]) => void;

/** The open chat, as the content script last reported it. */
function useActiveChat(): ChatReport | undefined {
  const [active, setActive] = useState(connection.latest);
  useEffect(() => {
    setActive(connection.latest);
    return connection.onChat(setActive);
  }, []);
  return active;
}

function SignInFirst({ refused }: { refused?: string }) {
  return (
    <section className="panel" aria-labelledby="sign-in-title">
      <h2 id="sign-in-title">Sign in to wasync</h2>
      {refused ? <Notice kind="error">{refused}</Notice> : null}
      <p className="small">
        To see the CRM record of each chat here, connect this extension to your team's wasync: in wasync, open{' '}
        <strong>Browser extension</strong> and press <strong>Connect the extension</strong>, then enter the
        server's URL and the token in the extension's options.
      </p>
      <div className="buttons">
        <button type="button" className="primary" onClick={() => void chrome.runtime.openOptionsPage()}>
          Open the options
        </button>
      </div>
    </section>
  );
}

function SignedIn({
  serverUrl,
  token,
  active,
  capture,
  onMessages,
}: {
  serverUrl: string;
  token: string;
  active: ChatReport | undefined;
  capture: boolean;
  onMessages: (listener: MessagesListener) => () => void;
}) {
  // Before any child asks the API: every request of this frame goes to the rep's server, with the token.
  configureApi({ baseUrl: serverUrl, token });
  const [refused, setRefused] = useState<string>();
  const [accounts, setAccounts] = useState<Account[]>();
  const [error, setError] = useState<string>();
  useEffect(
    () => onSessionEnded(() => setRefused('wasync no longer accepts the token (revoked or expired).')),
    [],
  );
  useEffect(() => {
    api<{ data: Account[] }>('GET', '/accounts').then(
      (result) => setAccounts(result.data),
      (failure) => setError(describe(failure)),
    );
  }, []);
  const captured = useCapture(
    capture && !refused,
    accounts && accountForPhone(accounts, active?.chat?.ownPhone),
    onMessages,
  );
  if (refused) return <SignInFirst refused={refused} />;
  if (error) return <Notice kind="error">{error}</Notice>;
  if (!accounts) return <p className="muted">Loading…</p>;
  return (
    <>
      {active?.chat ? (
        <StreamLiveProvider>
          <OpenChat key={chatKey(active.chat)} active={active.chat} accounts={accounts} />
        </StreamLiveProvider>
      ) : (
        <p className="muted" data-testid="no-chat">
          Open a chat in WhatsApp Web to see its CRM record here.
        </p>
      )}
      <CaptureLine state={captured} />
    </>
  );
}

/** Where capture while open stands, when the rep has it on. */
function CaptureLine({ state }: { state: CaptureState | undefined }) {
  if (!state) return null;
  const text =
    state.state === 'no-account'
      ? 'Capture is on, but none of your wasync numbers is the one WhatsApp Web is signed in with.'
      : state.state === 'stopped'
        ? `Capture stopped: ${state.reason}`
        : `Capturing the open chat's messages: ${state.sent} sent to wasync.`;
  return (
    <p className="small muted" data-testid="capture-state">
      {text}
    </p>
  );
}

/** What names a chat for the lookup: a change of it is another chat, and another card. */
function chatKey(chat: ActiveChat): string {
  return chat.type === 'group'
    ? `group ${chat.groupId ?? chat.title ?? ''}`
    : `direct ${chat.partner?.lid ?? ''} ${chat.partner?.phone ?? ''} ${chat.partner?.lid || chat.partner?.phone ? '' : (chat.title ?? '')}`;
}

function lookupQuery(chat: ActiveChat): URLSearchParams | undefined {
  const query = new URLSearchParams();
  if (chat.type === 'group') {
    if (chat.groupId) query.set('groupId', chat.groupId);
  } else {
    if (chat.partner?.phone) query.set('phone', chat.partner.phone);
    if (chat.partner?.lid) query.set('lid', chat.partner.lid);
  }
  return query.size > 0 ? query : undefined;
}

/**
 * The chat as the REST ingest takes it, to make it in wasync before its first message is captured: the
 * numbers as the lookup normalised them (E.164), the names as the page shows them.
 */
function uncapturedChat(chat: ActiveChat, keys: ChatLookup['keys']): UncapturedChat | undefined {
  const e164 = (digits: string) => `+${digits.replace(/^\+/, '')}`;
  if (chat.type === 'group') {
    const groupId = keys.groupId ?? chat.groupId;
    if (!groupId) return undefined;
    return {
      type: 'group',
      id: groupId,
      ...(chat.title ? { title: chat.title } : {}),
      participants: (chat.participants ?? [])
        .filter((p) => p.phone || p.lid)
        .map((p) => ({
          ...(p.phone ? { phone: e164(p.phone) } : {}),
          ...(p.lid ? { lid: p.lid } : {}),
          ...(p.name ? { name: p.name } : {}),
        })),
    };
  }
  const phone = keys.phone ?? (chat.partner?.phone ? e164(chat.partner.phone) : undefined);
  const lid = keys.lid ?? chat.partner?.lid;
  if (!phone && !lid) return undefined;
  // An unknown contact's title is their number: no name to offer then.
  const name =
    chat.partner?.name ?? (chat.title && chat.title !== chat.partner?.phone ? chat.title : undefined);
  const named = name && !phoneFromText(name) ? { name } : {};
  return { type: 'direct', with: { ...(phone ? { phone } : {}), ...(lid ? { lid } : {}), ...named } };
}

function OpenChat({ active, accounts }: { active: ActiveChat; accounts: Account[] }) {
  const [lookup, setLookup] = useState<ChatLookup>();
  const [captured, setCaptured] = useState<Chat>();
  const [error, setError] = useState<string>();
  const [chosenAccount, setChosenAccount] = useState<string>();
  const query = lookupQuery(active);
  const queryText = query?.toString();
  useEffect(() => {
    if (!queryText) return;
    let current = true;
    api<ChatLookup>('GET', `/chats/lookup?${queryText}`).then(
      (result) => current && setLookup(result),
      (failure) => current && setError(describe(failure)),
    );
    return () => {
      current = false;
    };
  }, [queryText]);

  const title = active.title ?? active.partner?.name;
  const heading = (
    <h1 className="sidebar-chat" data-testid="sidebar-chat">
      {title ?? 'This chat'}
    </h1>
  );
  if (!query) {
    return (
      <>
        {heading}
        <p className="muted small">
          WhatsApp Web does not show this chat's number or id: nothing to look up.
        </p>
      </>
    );
  }
  if (error) {
    return (
      <>
        {heading}
        <Notice kind="error">{error}</Notice>
      </>
    );
  }
  if (!lookup) {
    return (
      <>
        {heading}
        <p className="muted">Looking this chat up in wasync…</p>
      </>
    );
  }
  const own = accountForPhone(accounts, active.ownPhone);
  const chat =
    captured ?? lookup.chats.find((candidate) => own && candidate.accountId === own.id) ?? lookup.chats[0];
  if (chat) {
    return (
      <>
        {heading}
        <CrmCard key={chat.id} chat={chat} />
      </>
    );
  }
  const toMake = uncapturedChat(active, lookup.keys);
  const accountId = own?.id ?? chosenAccount;
  return (
    <>
      {heading}
      {accounts.length === 0 ? (
        <Notice kind="info">
          wasync has no WhatsApp number you can read yet, so it cannot keep this chat. An admin connects one
          under Setup.
        </Notice>
      ) : !accountId ? (
        <div className="field">
          <label htmlFor="account">Which of your wasync numbers is this WhatsApp?</label>
          <select
            id="account"
            defaultValue=""
            onChange={(event) => setChosenAccount(event.target.value || undefined)}
          >
            <option value="">Choose…</option>
            {accounts.map((account) => (
              <option key={account.id} value={account.id}>
                {account.displayName ? `${account.displayName} (${account.phone})` : account.phone}
              </option>
            ))}
          </select>
        </div>
      ) : toMake ? (
        <UncapturedCard accountId={accountId} chat={toMake} onCaptured={setCaptured} />
      ) : null}
    </>
  );
}
