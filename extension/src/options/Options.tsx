import { type FormEvent, useEffect, useState } from 'react';
import { api, configureApi, describe } from '../../../web/src/api';
import type { Account } from '../../../web/src/types';
import { Brand, Notice } from '../../../web/src/ui';
import { normaliseServerUrl, originPattern, readSettings, type Settings, writeSettings } from '../settings';

/**
 * The extension's options: which wasync server, signed in with which token, and the rep's choices.
 * Signing in asks the browser for access to that server's origin alone; nothing is sent anywhere else.
 */
export function Options() {
  const [settings, setSettings] = useState<Settings>();
  useEffect(() => void readSettings().then(setSettings), []);
  if (!settings) return null;
  return (
    <div className="options stack-lg">
      <Brand />
      <SignIn settings={settings} onChange={setSettings} />
      <Choices settings={settings} onChange={setSettings} />
    </div>
  );
}

type Message = { kind: 'error' | 'success' | 'info'; text: string };

function SignIn({ settings, onChange }: { settings: Settings; onChange: (settings: Settings) => void }) {
  const [message, setMessage] = useState<Message>();
  const [busy, setBusy] = useState(false);
  const signedIn = !!(settings.serverUrl && settings.token);

  const signIn = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const serverUrl = normaliseServerUrl(String(form.get('server') ?? ''));
    const token = String(form.get('token') ?? '').trim();
    if (!serverUrl) {
      setMessage({
        kind: 'error',
        text: 'Enter the address of your wasync server, e.g. https://wasync.example.com (plain http only to this computer).',
      });
      return;
    }
    if (!token) {
      setMessage({ kind: 'error', text: 'Enter the token wasync showed under "Connect the extension".' });
      return;
    }
    setBusy(true);
    setMessage(undefined);
    try {
      // The browser asks the rep; a refusal leaves everything as it was.
      const granted = await chrome.permissions.request({ origins: [originPattern(serverUrl)] });
      if (!granted) {
        setMessage({
          kind: 'error',
          text: `Without access to ${serverUrl} the extension cannot reach wasync.`,
        });
        return;
      }
      configureApi({ baseUrl: serverUrl, token });
      const accounts = await api<{ data: Account[] }>('GET', '/accounts');
      // Access to a server used before is given back once another replaces it.
      if (settings.serverUrl && settings.serverUrl !== serverUrl) await forget(settings.serverUrl, serverUrl);
      const next = { ...settings, serverUrl, token };
      await writeSettings({ serverUrl, token });
      onChange(next);
      const count = accounts.data.length;
      setMessage({
        kind: 'success',
        text: `Signed in to ${serverUrl}: ${count === 1 ? 'one WhatsApp number' : `${count} WhatsApp numbers`} you can read. Open WhatsApp Web to see the CRM beside each chat.`,
      });
    } catch (failure) {
      setMessage({ kind: 'error', text: `wasync did not accept this: ${describe(failure)}` });
    } finally {
      setBusy(false);
    }
  };

  const signOut = async () => {
    await writeSettings({ token: undefined });
    if (settings.serverUrl) await forget(settings.serverUrl);
    const { token: _token, ...rest } = settings;
    onChange(rest);
    setMessage({
      kind: 'info',
      text: 'Signed out. The token still works until it is revoked in wasync, under Browser extension.',
    });
  };

  return (
    <section className="panel" aria-labelledby="options-title">
      <h1 id="options-title">Connect to wasync</h1>
      <p className="muted">
        The extension shows the CRM record of the chat open in WhatsApp Web, read from your team's own wasync
        server with a personal token. In wasync, open <strong>Browser extension</strong> and press{' '}
        <strong>Connect the extension</strong>: it shows the server's address and a token to paste here.
      </p>
      {signedIn ? (
        <p data-testid="signed-in">
          Signed in to <strong>{settings.serverUrl}</strong>.{' '}
          <button type="button" className="link" onClick={() => void signOut()}>
            Sign out
          </button>
        </p>
      ) : null}
      <form className="stack" onSubmit={signIn} aria-label="Sign in to wasync">
        <div className="field">
          <label htmlFor="server">wasync server</label>
          <input
            id="server"
            name="server"
            type="url"
            required
            placeholder="https://wasync.example.com"
            defaultValue={settings.serverUrl ?? ''}
          />
        </div>
        <div className="field">
          <label htmlFor="token">Token</label>
          <input id="token" name="token" type="password" required autoComplete="off" />
        </div>
        <div className="buttons">
          <button type="submit" className="primary" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </div>
      </form>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
    </section>
  );
}

/** Gives back access to a server no longer used (unless it is the same host as the one kept). */
async function forget(serverUrl: string, kept?: string): Promise<void> {
  const pattern = originPattern(serverUrl);
  if (kept && originPattern(kept) === pattern) return;
  await chrome.permissions.remove({ origins: [pattern] }).catch(() => false);
}

function Choices({ settings, onChange }: { settings: Settings; onChange: (settings: Settings) => void }) {
  // The box shows the choice at once; storing it (and the service worker acting on it) follows.
  const toggle = async (key: 'useWaJs' | 'capture', value: boolean) => {
    onChange({ ...settings, [key]: value });
    await writeSettings({ [key]: value });
  };
  return (
    <section className="panel" aria-labelledby="choices-title">
      <h2 id="choices-title">Reading WhatsApp Web</h2>
      <p className="muted small">
        The extension reads which chat is open from the page: its header (the name, or the number of someone
        not in your contacts) and the WhatsApp ids its messages carry. It sends wasync only those ids, to find
        the chat, and what you do on the card; messages only if you turn that on below.
      </p>
      <label className="check">
        <input
          type="checkbox"
          checked={!!settings.useWaJs}
          onChange={(event) => void toggle('useWaJs', event.target.checked)}
        />{' '}
        Read the open chat with wa-js (WhatsApp Web's own data: knows a group's members and numbers even
        without messages on screen). Takes effect when WhatsApp Web is reloaded.
      </label>
      <label className="check">
        <input
          type="checkbox"
          checked={!!settings.capture}
          onChange={(event) => void toggle('capture', event.target.checked)}
        />{' '}
        Send the text messages of the chats I open to wasync, where my workspace allows it (an admin turns it
        on under Setup → Settings). They join what a linked device captures, each message once; photos and
        other media are left to the linked device.
      </label>
    </section>
  );
}
