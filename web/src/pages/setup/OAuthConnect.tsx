import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, describe } from '../../api';
import { Field, Notice } from '../../ui';

interface OAuthApp {
  configured: boolean;
  clientId?: string;
  redirectUri: string | null;
}

type Login = 'production' | 'sandbox' | 'my-domain';

const LOGIN_URLS: Record<Exclude<Login, 'my-domain'>, string> = {
  production: 'https://login.salesforce.com',
  sandbox: 'https://test.salesforce.com',
};

/**
 * "Connect Salesforce": sign in at Salesforce (OAuth, authorization code with PKCE) and come back
 * connected. The app's client id and secret are set once here; then a name and which login is all
 * it takes. The browser leaves for Salesforce and comes back to Setup (see OAuthOutcome).
 */
export function OAuthConnect({ onCancel }: { onCancel: () => void }) {
  const [app, setApp] = useState<OAuthApp>();
  const [editingApp, setEditingApp] = useState(false);
  const [error, setError] = useState<string>();
  const load = useCallback(async () => {
    try {
      const answer = await api<OAuthApp>('GET', '/oauth/salesforce/app');
      setApp(answer);
      setEditingApp(!answer.configured);
    } catch (failure) {
      setError(describe(failure));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="stack form-box" aria-label="Connect Salesforce">
      <h2>Connect Salesforce</h2>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {app && editingApp ? (
        <OAuthAppForm
          app={app}
          onSaved={async () => {
            await load();
          }}
          onCancel={app.configured ? () => setEditingApp(false) : onCancel}
        />
      ) : null}
      {app && !editingApp ? (
        <>
          <p className="muted small">
            Signs in with the app <code>{app.clientId}</code>.{' '}
            <button type="button" className="link" onClick={() => setEditingApp(true)}>
              Change the app
            </button>
          </p>
          <SignInForm onCancel={onCancel} />
        </>
      ) : null}
    </section>
  );
}

function OAuthAppForm({
  app,
  onSaved,
  onCancel,
}: {
  app: OAuthApp;
  onSaved: () => Promise<void>;
  onCancel: () => void;
}) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      await api('PUT', '/oauth/salesforce/app', {
        clientId: String(form.get('oauthClientId') ?? '').trim(),
        clientSecret: String(form.get('oauthClientSecret') ?? ''),
      });
      await onSaved();
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={submit} aria-label="Salesforce app">
      <p className="muted small">
        Once per workspace: an External Client App (or Connected App) in Salesforce with OAuth on, the scopes{' '}
        <code>api</code> and <code>refresh_token</code>, PKCE required, and this callback URL:
      </p>
      {app.redirectUri ? (
        <p>
          Callback URL: <code>{app.redirectUri}</code>
        </p>
      ) : (
        <Notice kind="info">Set WASYNC_PUBLIC_URL on the server: the callback URL is built from it.</Notice>
      )}
      <Field
        label="Consumer key (client id)"
        name="oauthClientId"
        required
        autoComplete="off"
        defaultValue={app.clientId}
      />
      <Field label="Consumer secret" name="oauthClientSecret" type="password" required autoComplete="off" />
      <p className="muted small">The secret is stored encrypted and never shown again.</p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          Save the app
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

function SignInForm({ onCancel }: { onCancel: () => void }) {
  const [login, setLogin] = useState<Login>('production');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const loginUrl = login === 'my-domain' ? String(form.get('myDomainUrl') ?? '').trim() : LOGIN_URLS[login];
    setBusy(true);
    setError(undefined);
    try {
      const { authorizeUrl } = await api<{ authorizeUrl: string }>('POST', '/oauth/salesforce/start', {
        name: String(form.get('oauthName') ?? '').trim(),
        loginUrl,
      });
      window.location.assign(authorizeUrl);
    } catch (failure) {
      setError(describe(failure));
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={submit} aria-label="Sign in at Salesforce">
      <Field
        label="Name"
        name="oauthName"
        required
        defaultValue="Salesforce"
        hint="How wasync shows this connection."
      />
      <fieldset className="choice">
        <legend>Where you sign in</legend>
        {(
          [
            ['production', 'Production (login.salesforce.com)'],
            ['sandbox', 'Sandbox org (test.salesforce.com)'],
            ['my-domain', 'My Domain URL'],
          ] as const
        ).map(([value, label]) => (
          <label key={value}>
            <input
              type="radio"
              name="login"
              value={value}
              checked={login === value}
              onChange={() => setLogin(value)}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>
      {login === 'my-domain' ? (
        <Field
          label="My Domain URL"
          name="myDomainUrl"
          type="url"
          required
          placeholder="https://MyDomainName.my.salesforce.com"
        />
      ) : null}
      <p className="muted small">You sign in at Salesforce and allow wasync; then you come back here.</p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Going to Salesforce…' : 'Sign in at Salesforce'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * How a sign-in at a CRM ended, from the parameters the callback sent the browser back with; the
 * address is cleaned so a reload does not show it again.
 */
export function OAuthOutcome() {
  const [outcome] = useState(() => {
    const params = new URLSearchParams(window.location.search);
    const state = params.get('oauth');
    if (state !== 'connected' && state !== 'failed') return undefined;
    return { state, name: params.get('name') ?? '', message: params.get('message') ?? '' };
  });
  useEffect(() => {
    if (outcome) window.history.replaceState(null, '', window.location.pathname);
  }, [outcome]);
  if (!outcome) return null;
  return outcome.state === 'connected' ? (
    <Notice kind="success">Connected “{outcome.name}”: signed in at Salesforce.</Notice>
  ) : (
    <Notice kind="error">{outcome.message || 'The sign-in did not complete.'}</Notice>
  );
}
