import { useState } from 'react';
import { api, describe } from '../api';
import { useList } from '../list';
import type { Answer, Schemas } from '../types';
import { CopyField, formatTime, Notice } from '../ui';

type Token = Schemas['ApiToken'];

/**
 * The browser extension (everyone): what it does and sends, "Connect the extension" (a member token of
 * one's own, shown once with this server's URL), and one's own tokens with Revoke.
 */
export function ExtensionPage() {
  const [created, setCreated] = useState<{ token: string; serverUrl: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const { rows: tokens, reload } = useList<Token>('/session/tokens', setError);

  const connect = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const made = await api<Answer<'/session/tokens', 'post'>>('POST', '/session/tokens', {});
      setCreated({ token: made.token, serverUrl: window.location.origin });
    } catch (failure) {
      setError(describe(failure));
    }
    setBusy(false);
    await reload();
  };
  const revoke = async (token: Token) => {
    if (!window.confirm(`Revoke “${token.name}” (${token.prefix}…)? Whatever uses it stops working at once.`))
      return;
    setError(undefined);
    try {
      await api('DELETE', `/session/tokens/${token.id}`);
    } catch (failure) {
      setError(describe(failure));
    }
    await reload();
  };
  const active = (tokens ?? []).filter((t) => !t.revokedAt);

  return (
    <div className="stack-lg">
      <section className="panel" aria-labelledby="extension-title">
        <h1 id="extension-title">Browser extension</h1>
        <p>
          The wasync extension puts this workspace's CRM card beside the chat you have open in WhatsApp Web:
          who the person is in your CRMs, where the chat stands in the sync, and buttons to link or create a
          record. To find the chat it sends the open chat's WhatsApp numbers (or group id) and, only where
          your admins allow it, that chat's messages; it sends them to this server only,{' '}
          {window.location.origin}, and nowhere else.
        </p>
        <p className="muted">
          Connecting makes a token of your own for the extension. It works as a member, never as an admin, and
          cannot make other tokens; revoke it here whenever you like.
        </p>
        <div className="buttons">
          <button type="button" className="primary" disabled={busy} onClick={() => void connect()}>
            {busy ? 'Connecting…' : 'Connect the extension'}
          </button>
        </div>
        {error ? <Notice kind="error">{error}</Notice> : null}
        {created ? (
          <Notice kind="success">
            Paste these into the extension's options page. The token is shown this once:
            <CopyField value={created.serverUrl} label="Server URL" />
            <CopyField value={created.token} label="Token" />
          </Notice>
        ) : null}
      </section>
      <section className="panel" aria-labelledby="extension-tokens-title">
        <h2 id="extension-tokens-title">Your tokens</h2>
        <p className="muted">
          Every API token of yours is here: the extension's, and any made for scripts on the Team page.
          Revoking one stops whatever uses it at once.
        </p>
        {tokens === undefined && !error ? <p className="muted">Loading…</p> : null}
        {tokens !== undefined && active.length === 0 ? (
          <p className="muted">No extension is connected with a token of yours.</p>
        ) : null}
        {active.length > 0 ? (
          <ul className="list compact" aria-label="Your active tokens">
            {active.map((token) => (
              <li key={token.id} className="row">
                <span className="row-main">
                  <span className="row-title">{token.name}</span>
                  <span className="row-sub">
                    {token.prefix}… · {token.role} · made {formatTime(token.createdAt)} · last used{' '}
                    {formatTime(token.lastUsedAt)}
                  </span>
                </span>
                <button
                  type="button"
                  className="link"
                  aria-label={`Revoke ${token.name} ${token.prefix}`}
                  onClick={() => void revoke(token)}
                >
                  Revoke
                </button>
              </li>
            ))}
          </ul>
        ) : null}
      </section>
    </div>
  );
}
