import { type FormEvent, useState } from 'react';
import { api, describe } from '../../api';
import { useList } from '../../list';
import type { Connection } from '../../types';
import { Field, formatTime, Notice } from '../../ui';
import { OAuthConnect, OAuthOutcome } from './OAuthConnect';

type Flow = 'client_credentials' | 'refresh_token' | 'jwt_bearer';

interface ConnectionRow extends Connection {
  settings: { loginUrl?: string; apiVersion?: string; flow?: Flow; clientId?: string; username?: string };
  createdAt: string;
}

export function Connections() {
  const [adding, setAdding] = useState(false);
  const [signingIn, setSigningIn] = useState(false);
  const [error, setError] = useState<string>();
  const { rows, reload: load } = useList<ConnectionRow>('/connections', setError);
  return (
    <section className="panel" aria-labelledby="crm-title">
      <div className="panel-head">
        <h1 id="crm-title">CRM connections</h1>
        {adding || signingIn ? null : (
          <div className="buttons">
            <button type="button" className="primary" onClick={() => setSigningIn(true)}>
              Connect Salesforce
            </button>
            <button type="button" onClick={() => setAdding(true)}>
              Connect a CRM
            </button>
          </div>
        )}
      </div>
      <OAuthOutcome />
      {error ? <Notice kind="error">{error}</Notice> : null}
      {signingIn ? <OAuthConnect onCancel={() => setSigningIn(false)} /> : null}
      {adding ? (
        <ConnectionForm
          onDone={async () => {
            setAdding(false);
            await load();
          }}
        />
      ) : null}
      {rows?.length === 0 && !adding && !signingIn ? (
        <p className="muted">No CRM yet. Connect one, and chats are backed up to it every sync interval.</p>
      ) : null}
      {rows?.map((row) => (
        <ConnectionItem key={row.id} connection={row} reload={load} />
      ))}
    </section>
  );
}

function ConnectionItem({ connection, reload }: { connection: ConnectionRow; reload: () => Promise<void> }) {
  const [result, setResult] = useState<{
    kind: 'error' | 'info' | 'success';
    text: string;
    items?: string[];
  }>();
  const [busy, setBusy] = useState(false);
  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    try {
      await what();
    } catch (failure) {
      setResult({ kind: 'error', text: describe(failure) });
    } finally {
      setBusy(false);
    }
  };
  const test = () =>
    run(async () => {
      const answer = await api<{ ok: boolean; problems: string[] }>(
        'POST',
        `/connections/${connection.id}/test`,
      );
      setResult(
        answer.ok
          ? { kind: 'success', text: 'Connected, and everything wasync writes into is set up.' }
          : { kind: 'error', text: 'Signed in, but:', items: answer.problems },
      );
    });
  const setUp = () =>
    run(async () => {
      const answer = await api<{ created: string[]; existing: string[]; manualSteps: string[] }>(
        'POST',
        `/connections/${connection.id}/setup`,
      );
      const done =
        answer.created.length > 0
          ? `Set up: ${answer.created.length} change(s) made${answer.existing.length ? `, ${answer.existing.length} already there` : ''}.`
          : 'Already set up: nothing to change.';
      setResult(
        answer.manualSteps.length > 0
          ? { kind: 'info', text: `${done} Left for you to do in Salesforce:`, items: answer.manualSteps }
          : { kind: 'success', text: done },
      );
      await reload();
    });
  const remove = () =>
    run(async () => {
      if (
        !window.confirm(
          `Delete “${connection.name}”? Its links and sync history go; the CRM keeps what was written.`,
        )
      )
        return;
      await api('DELETE', `/connections/${connection.id}`);
      await reload();
    });
  return (
    <article className="item" aria-label={connection.name}>
      <div className="item-head">
        <div>
          <span className="item-title">{connection.name}</span> <span className="tag">{connection.kind}</span>
          <div className="muted small">
            {connection.settings.loginUrl} · {connection.settings.flow?.replaceAll('_', ' ')} · since{' '}
            {formatTime(connection.createdAt)}
          </div>
        </div>
        <span className={`crm-state ${connection.state === 'parked' ? 'none' : 'linked'}`}>
          {connection.state === 'parked' ? 'Paused' : 'Active'}
        </span>
      </div>
      {connection.state === 'parked' ? <Notice kind="error">Paused: {connection.parkedReason}</Notice> : null}
      <div className="buttons">
        <button type="button" disabled={busy} onClick={() => void test()}>
          Test connection
        </button>
        {connection.kind === 'salesforce' ? (
          <button type="button" disabled={busy} onClick={() => void setUp()}>
            Set up the WhatsApp Chat object
          </button>
        ) : null}
        <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
          Delete
        </button>
      </div>
      {result ? (
        <Notice kind={result.kind}>
          {result.text}
          {result.items ? (
            <ul>
              {result.items.map((item) => (
                <li key={item}>{item}</li>
              ))}
            </ul>
          ) : null}
        </Notice>
      ) : null}
    </article>
  );
}

function ConnectionForm({ onDone }: { onDone: () => Promise<void> }) {
  const [flow, setFlow] = useState<Flow>('client_credentials');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '').trim();
    const auth =
      flow === 'client_credentials'
        ? { flow, clientId: value('clientId'), clientSecret: value('clientSecret') }
        : flow === 'refresh_token'
          ? {
              flow,
              clientId: value('clientId'),
              clientSecret: value('clientSecret'),
              refreshToken: value('refreshToken'),
            }
          : {
              flow,
              clientId: value('clientId'),
              username: value('username'),
              privateKeyPem: String(form.get('privateKeyPem') ?? ''),
              audience: value('audience') || undefined,
            };
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', '/connections', {
        kind: 'salesforce',
        name: value('name'),
        loginUrl: value('loginUrl'),
        apiVersion: value('apiVersion') || undefined,
        leadSource: value('leadSource') || null,
        leadCompany: value('leadCompany') || undefined,
        auth,
      });
      await onDone();
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack form-box" onSubmit={submit} aria-label="Connect Salesforce">
      <h2>Salesforce</h2>
      <p className="muted small">
        A Connected App (or External Client App) with the OAuth scopes <code>api</code> and{' '}
        <code>refresh_token</code>; the user it runs as needs to create contacts, leads, notes and files.
      </p>
      <Field
        label="Name"
        name="name"
        required
        defaultValue="Salesforce"
        hint="How wasync shows this connection."
      />
      <Field
        label="Login URL"
        name="loginUrl"
        type="url"
        required
        placeholder="https://MyDomainName.my.salesforce.com"
        hint={
          flow === 'client_credentials'
            ? 'Your My Domain URL: the client credentials flow does not work on login.salesforce.com or test.salesforce.com.'
            : 'Your My Domain URL, https://login.salesforce.com, or https://test.salesforce.com for a sandbox org.'
        }
      />
      <Field label="API version" name="apiVersion" defaultValue="62.0" pattern="\d{2}\.\d" />
      <Field
        label="Lead Source of records made from a chat"
        name="leadSource"
        defaultValue="WhatsApp"
        hint="Left out where your org's Lead Source picklist has no such value. Empty for none."
      />
      <Field
        label="Company of leads made from a chat"
        name="leadCompany"
        defaultValue="Unknown (WhatsApp)"
        hint="Salesforce requires a company on every lead; used when none is given."
      />
      <fieldset className="choice">
        <legend>Sign-in</legend>
        {(
          [
            ['client_credentials', 'Client credentials'],
            ['refresh_token', 'Refresh token'],
            ['jwt_bearer', 'JWT bearer'],
          ] as const
        ).map(([value, label]) => (
          <label key={value}>
            <input
              type="radio"
              name="flow"
              value={value}
              checked={flow === value}
              onChange={() => setFlow(value)}
            />{' '}
            {label}
          </label>
        ))}
      </fieldset>
      <Field label="Consumer key (client id)" name="clientId" required autoComplete="off" />
      {flow !== 'jwt_bearer' ? (
        <Field label="Consumer secret" name="clientSecret" type="password" required autoComplete="off" />
      ) : null}
      {flow === 'refresh_token' ? (
        <Field label="Refresh token" name="refreshToken" type="password" required autoComplete="off" />
      ) : null}
      {flow === 'jwt_bearer' ? (
        <>
          <Field label="Username" name="username" required autoComplete="off" />
          <Field
            label="Audience (aud)"
            name="audience"
            type="url"
            autoComplete="off"
            hint="Leave empty for https://login.salesforce.com (https://test.salesforce.com for a sandbox org); your My Domain URL if your app requires it."
          />
          <div className="field">
            <label htmlFor="privateKeyPem">Private key (PEM)</label>
            <textarea
              id="privateKeyPem"
              name="privateKeyPem"
              rows={5}
              required
              placeholder="-----BEGIN PRIVATE KEY-----"
            />
          </div>
        </>
      ) : null}
      <p className="muted small">Secrets are stored encrypted and never shown again.</p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Connecting…' : 'Connect'}
        </button>
        <button type="button" onClick={() => void onDone()}>
          Cancel
        </button>
      </div>
    </form>
  );
}
