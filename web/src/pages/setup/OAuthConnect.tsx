import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, describe } from '../../api';
import type { Answer, CrmKind, Schemas } from '../../types';
import { Field, Notice } from '../../ui';
import { FormFields, formBody, useChoices, withCode } from './ConnectionForm';

type OAuthApp = Schemas['OAuthApp'];

/** A kind that signs in at the CRM, with the forms the server describes for that (GET /crm-kinds). */
type OAuthKind = CrmKind & { oauthForm: NonNullable<CrmKind['oauthForm']> };

/** Whether a kind is connected by signing in at the CRM. */
export const signsIn = (kind: CrmKind): kind is OAuthKind => kind.oauth && kind.oauthForm !== undefined;

/**
 * "Connect <CRM>": sign in at the CRM (OAuth, authorization code with PKCE) and come back connected.
 * The app's client id and secret are set once here; then the kind's start form (a name and which
 * login, for Salesforce) is all it takes. The browser leaves for the CRM and comes back to Setup (see
 * OAuthOutcome).
 */
export function OAuthConnect({ kind, onCancel }: { kind: OAuthKind; onCancel: () => void }) {
  const [app, setApp] = useState<OAuthApp>();
  const [editingApp, setEditingApp] = useState(false);
  const [error, setError] = useState<string>();
  const load = useCallback(async () => {
    try {
      const answer = await api<OAuthApp>('GET', `/oauth/${kind.kind}/app`);
      setApp(answer);
      setEditingApp(!answer.configured);
    } catch (failure) {
      setError(describe(failure));
    }
  }, [kind.kind]);
  useEffect(() => {
    void load();
  }, [load]);
  return (
    <section className="stack form-box" aria-label={`Connect ${kind.displayName}`}>
      <h2>Connect {kind.displayName}</h2>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {app && editingApp ? (
        <OAuthAppForm
          kind={kind}
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
          <SignInForm kind={kind} onCancel={onCancel} />
        </>
      ) : null}
    </section>
  );
}

function OAuthAppForm({
  kind,
  app,
  onSaved,
  onCancel,
}: {
  kind: OAuthKind;
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
      const credentials: Schemas['OAuthAppCredentials'] = {
        clientId: String(form.get('oauthClientId') ?? '').trim(),
        clientSecret: String(form.get('oauthClientSecret') ?? ''),
      };
      await api('PUT', `/oauth/${kind.kind}/app`, credentials);
      await onSaved();
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={submit} aria-label={`${kind.displayName} app`}>
      <p className="muted small">{withCode(kind.oauthForm.appIntro)}</p>
      {app.redirectUri ? (
        <p>
          Callback URL: <code>{app.redirectUri}</code>
        </p>
      ) : (
        <Notice kind="info">Set WASYNC_PUBLIC_URL on the server: the callback URL is built from it.</Notice>
      )}
      <Field
        label={kind.oauthForm.clientIdLabel}
        name="oauthClientId"
        required
        autoComplete="off"
        defaultValue={app.clientId}
      />
      <Field
        label={kind.oauthForm.clientSecretLabel}
        name="oauthClientSecret"
        type="password"
        required
        autoComplete="off"
      />
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

/** The kind's start form (POST /oauth/{kind}/start), then off to the CRM's authorize page. */
function SignInForm({ kind, onCancel }: { kind: OAuthKind; onCancel: () => void }) {
  const { fields, intro } = kind.oauthForm.start;
  const [choices, setChoices] = useChoices(fields);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const body = formBody(fields, choices, new FormData(event.currentTarget));
    setBusy(true);
    setError(undefined);
    try {
      const { authorizeUrl } = await api<Answer<'/oauth/{kind}/start', 'post'>>(
        'POST',
        `/oauth/${kind.kind}/start`,
        body,
      );
      window.location.assign(authorizeUrl);
    } catch (failure) {
      setError(describe(failure));
      setBusy(false);
    }
  };
  return (
    <form className="stack" onSubmit={submit} aria-label={`Sign in at ${kind.displayName}`}>
      {intro ? <p className="muted small">{withCode(intro)}</p> : null}
      <FormFields
        fields={fields}
        choices={choices}
        onChoose={(field, value) => setChoices((current) => ({ ...current, [field]: value }))}
      />
      <p className="muted small">
        You sign in at {kind.displayName} and allow wasync; then you come back here.
      </p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? `Going to ${kind.displayName}…` : `Sign in at ${kind.displayName}`}
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
export function OAuthOutcome({ kinds }: { kinds: CrmKind[] | undefined }) {
  const [outcome] = useState(() => {
    const params = new URLSearchParams(window.location.search);
    const state = params.get('oauth');
    if (state !== 'connected' && state !== 'failed') return undefined;
    return {
      state,
      kind: params.get('kind') ?? '',
      name: params.get('name') ?? '',
      message: params.get('message') ?? '',
    };
  });
  useEffect(() => {
    if (outcome) window.history.replaceState(null, '', window.location.pathname);
  }, [outcome]);
  if (!outcome) return null;
  return outcome.state === 'connected' ? (
    <Notice kind="success">
      Connected “{outcome.name}”: signed in at{' '}
      {kinds?.find((k) => k.kind === outcome.kind)?.displayName ?? outcome.kind}.
    </Notice>
  ) : (
    <Notice kind="error">{outcome.message || 'The sign-in did not complete.'}</Notice>
  );
}
