import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, currentCsrf, describe } from '../api';
import type { Connection } from '../types';
import { CopyField, Field, formatTime, Notice } from '../ui';

/** Setup (admins): CRM connections and WhatsApp numbers. */
export function SetupPage() {
  return (
    <div className="stack-lg">
      <Connections />
      <Accounts />
      <Settings />
      <Exclusions />
    </div>
  );
}

type Flow = 'client_credentials' | 'refresh_token' | 'jwt_bearer';

interface ConnectionRow extends Connection {
  settings: { loginUrl?: string; apiVersion?: string; flow?: Flow; clientId?: string; username?: string };
  createdAt: string;
}

function Connections() {
  const [rows, setRows] = useState<ConnectionRow[]>();
  const [adding, setAdding] = useState(false);
  const [error, setError] = useState<string>();
  const load = useCallback(
    () =>
      api<{ data: ConnectionRow[] }>('GET', '/connections').then(
        (r) => setRows(r.data),
        (e) => setError(describe(e)),
      ),
    [],
  );
  useEffect(() => void load(), [load]);
  return (
    <section className="panel" aria-labelledby="crm-title">
      <div className="panel-head">
        <h1 id="crm-title">CRM connections</h1>
        {adding ? null : (
          <button type="button" className="primary" onClick={() => setAdding(true)}>
            Connect a CRM
          </button>
        )}
      </div>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {adding ? (
        <ConnectionForm
          onDone={async () => {
            setAdding(false);
            await load();
          }}
        />
      ) : null}
      {rows?.length === 0 && !adding ? (
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
      const answer = await api<{ created: string[]; existing: string[] }>(
        'POST',
        `/connections/${connection.id}/setup`,
      );
      setResult({
        kind: 'success',
        text:
          answer.created.length > 0
            ? `Set up: ${answer.created.length} component(s) created${answer.existing.length ? `, ${answer.existing.length} already there` : ''}.`
            : 'Already set up: nothing to create.',
      });
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
            };
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', '/connections', {
        kind: 'salesforce',
        name: value('name'),
        loginUrl: value('loginUrl'),
        apiVersion: value('apiVersion') || undefined,
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
        defaultValue="https://login.salesforce.com"
        hint="https://test.salesforce.com for a sandbox org, or your My Domain URL."
      />
      <Field label="API version" name="apiVersion" defaultValue="62.0" pattern="\d{2}\.\d" />
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

interface Account {
  id: string;
  phone: string;
  sourceKind: string;
  displayName?: string;
  lastMessageAt?: string;
  chats: number;
  messages: number;
  cloud?: {
    phoneNumberId: string;
    webhookUrl: string;
    verifyToken: string;
    lastDeliveryAt?: string;
    signatureFailures: number;
    deliveries: { pending: number; processed: number; lastError?: string };
  };
}

const KIND_NAMES: Record<string, string> = {
  whatsapp_cloud: 'Cloud API',
  chat_export: 'Chat exports',
  rest: 'REST ingest',
  linked_device: 'Linked device',
};

function Accounts() {
  const [rows, setRows] = useState<Account[]>();
  const [adding, setAdding] = useState<'whatsapp_cloud' | 'chat_export'>();
  const [error, setError] = useState<string>();
  const load = useCallback(
    () =>
      api<{ data: Account[] }>('GET', '/accounts').then(
        (r) => setRows(r.data),
        (e) => setError(describe(e)),
      ),
    [],
  );
  useEffect(() => void load(), [load]);
  return (
    <section className="panel" aria-labelledby="accounts-title">
      <div className="panel-head">
        <h1 id="accounts-title">WhatsApp numbers</h1>
        <div className="buttons">
          <button type="button" className="primary" onClick={() => setAdding('whatsapp_cloud')}>
            Add a Cloud API number
          </button>
          <button type="button" onClick={() => setAdding('chat_export')}>
            Import a chat export
          </button>
        </div>
      </div>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {adding === 'whatsapp_cloud' ? (
        <CloudForm onDone={() => void load()} onCancel={() => setAdding(undefined)} />
      ) : null}
      {adding === 'chat_export' ? (
        <ImportForm accounts={rows ?? []} onDone={() => void load()} onCancel={() => setAdding(undefined)} />
      ) : null}
      {rows?.length === 0 ? <p className="muted">No number yet.</p> : null}
      {rows?.map((account) => (
        <article key={account.id} className="item" aria-label={account.phone}>
          <div className="item-head">
            <div>
              <span className="item-title">{account.displayName ?? account.phone}</span>{' '}
              <span className="tag">{KIND_NAMES[account.sourceKind] ?? account.sourceKind}</span>
              <div className="muted small">
                {account.displayName ? `${account.phone} · ` : ''}
                {account.chats} chats · {account.messages} messages · last message{' '}
                {formatTime(account.lastMessageAt)}
              </div>
            </div>
          </div>
          {account.cloud ? (
            <div className="cloud">
              <CopyField value={account.cloud.webhookUrl} label="Webhook URL" />
              <CopyField value={account.cloud.verifyToken} label="Verify token (webhook)" />
              <p className="small muted">
                Webhook: last delivery {formatTime(account.cloud.lastDeliveryAt)} ·{' '}
                {account.cloud.deliveries.processed} processed · {account.cloud.deliveries.pending} waiting ·{' '}
                {account.cloud.signatureFailures} refused (bad signature)
              </p>
              {account.cloud.deliveries.lastError ? (
                <Notice kind="error">Last processing error: {account.cloud.deliveries.lastError}</Notice>
              ) : null}
            </div>
          ) : null}
        </article>
      ))}
    </section>
  );
}

function CloudForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<Account>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    setBusy(true);
    setError(undefined);
    try {
      const account = await api<Account>('POST', '/accounts', {
        phone: value('phone'),
        displayName: value('displayName'),
        sourceKind: 'whatsapp_cloud',
        cloud: {
          phoneNumberId: value('phoneNumberId'),
          wabaId: value('wabaId'),
          accessToken: value('accessToken'),
          appSecret: value('appSecret'),
          verifyToken: value('verifyToken'),
          graphBaseUrl: value('graphBaseUrl'),
        },
      });
      setCreated(account);
      onDone();
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  };
  if (created?.cloud) {
    return (
      <div className="form-box">
        <Notice kind="success">
          {created.phone} is added. In Meta's App Dashboard, open WhatsApp → Configuration → Webhook, paste
          these two values, verify, and subscribe the <code>messages</code> field (and{' '}
          <code>smb_message_echoes</code>, <code>history</code>, <code>smb_app_state_sync</code> if the number
          is shared with the WhatsApp Business app):
          <CopyField value={created.cloud.webhookUrl} label="Callback URL" />
          <CopyField value={created.cloud.verifyToken} label="Verify token" />
        </Notice>
        <button type="button" onClick={onCancel}>
          Done
        </button>
      </div>
    );
  }
  return (
    <form className="stack form-box" onSubmit={submit} aria-label="Add a Cloud API number">
      <h2>WhatsApp Cloud API</h2>
      <Field label="Phone number" name="phone" required placeholder="+1 415 555 2671" />
      <Field label="Name (optional)" name="displayName" />
      <Field
        label="Phone number ID"
        name="phoneNumberId"
        required
        inputMode="numeric"
        hint="WhatsApp Manager → Phone numbers."
      />
      <Field label="WhatsApp Business Account ID (optional)" name="wabaId" inputMode="numeric" />
      <Field
        label="Access token"
        name="accessToken"
        type="password"
        required
        autoComplete="off"
        hint="A system user's permanent token."
      />
      <Field
        label="App secret"
        name="appSecret"
        type="password"
        required
        autoComplete="off"
        hint="App settings → Basic; it signs the webhooks."
      />
      <Field
        label="Verify token (optional)"
        name="verifyToken"
        autoComplete="off"
        hint="Made up for you when left empty."
      />
      <Field
        label="Graph API URL (optional)"
        name="graphBaseUrl"
        type="url"
        placeholder="https://graph.facebook.com"
      />
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Adding…' : 'Add number'}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

interface ImportSummary {
  chat: { kind: 'direct' | 'group'; key: string; title?: string };
  lines: number;
  messages: { total: number; new: number; existing: number; system: number };
  media: { found: number; missing: number; omitted: number; tooLarge: number };
  skipped: { total: number; reasons: Record<string, number> };
}

function ImportForm({
  accounts,
  onDone,
  onCancel,
}: {
  accounts: Account[];
  onDone: () => void;
  onCancel: () => void;
}) {
  const [progress, setProgress] = useState<number>();
  const [summary, setSummary] = useState<ImportSummary>();
  const [error, setError] = useState<string>();
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const file = form.get('file');
    if (!(file instanceof File) || file.size === 0) {
      setError('Choose the exported .txt or .zip file.');
      return;
    }
    setError(undefined);
    setSummary(undefined);
    try {
      // The number: an existing account, or a new one for exports.
      let accountId = String(form.get('accountId') ?? '');
      if (accountId === 'new') {
        const created = await api<Account>('POST', '/accounts', {
          phone: String(form.get('phone') ?? ''),
          sourceKind: 'chat_export',
        });
        accountId = created.id;
      }
      const query = new URLSearchParams({ fileName: file.name });
      for (const name of ['chatWith', 'me', 'tz', 'dateOrder']) {
        const value = String(form.get(name) ?? '').trim();
        if (value) query.set(name, value);
      }
      setProgress(0);
      setSummary(await upload(`/api/v1/accounts/${accountId}/imports?${query}`, file, setProgress));
      onDone();
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : describe(failure));
    } finally {
      setProgress(undefined);
    }
  };
  const [target, setTarget] = useState(accounts[0]?.id ?? 'new');
  return (
    <form className="stack form-box" onSubmit={submit} aria-label="Import a chat export">
      <h2>Chat export</h2>
      <p className="muted small">
        In WhatsApp, open the chat → More → Export chat (with media for the files), and upload the .txt or
        .zip here. Importing the same export again, or a newer one, adds only what is new.
      </p>
      <div className="field">
        <label htmlFor="import-account">Into the number</label>
        <select
          id="import-account"
          name="accountId"
          value={target}
          onChange={(event) => setTarget(event.target.value)}
        >
          {accounts.map((account) => (
            <option key={account.id} value={account.id}>
              {account.displayName ? `${account.displayName} (${account.phone})` : account.phone}
            </option>
          ))}
          <option value="new">A new number…</option>
        </select>
      </div>
      {target === 'new' ? (
        <Field label="The number that exported" name="phone" required placeholder="+55 11 98765-4321" />
      ) : null}
      <div className="field">
        <label htmlFor="import-file">Export file</label>
        <input
          id="import-file"
          name="file"
          type="file"
          accept=".txt,.zip,text/plain,application/zip"
          required
        />
      </div>
      <Field
        label="Other person's number (1:1 chats)"
        name="chatWith"
        hint="When the export names them without a number."
      />
      <Field label="Your name in the export (optional)" name="me" />
      <Field label="Time zone of the phone (optional)" name="tz" placeholder="Europe/Berlin" />
      <div className="field">
        <label htmlFor="import-order">Date order (only if asked)</label>
        <select id="import-order" name="dateOrder" defaultValue="">
          <option value="">Detect</option>
          <option value="dmy">Day/month/year</option>
          <option value="mdy">Month/day/year</option>
          <option value="ymd">Year-month-day</option>
        </select>
      </div>
      {progress !== undefined ? (
        <div className="progress">
          <progress value={progress} max={1} aria-label="Upload progress" />
          <span className="small muted">
            {progress < 1 ? `Uploading ${Math.round(progress * 100)}%` : 'Importing…'}
          </span>
        </div>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      {summary ? (
        <Notice kind="success">
          Imported {summary.chat.kind === 'group' ? `the group ${summary.chat.title ?? ''}` : 'the chat'}:{' '}
          {summary.messages.new} new messages ({summary.messages.existing} already there, {summary.lines}{' '}
          lines); media {summary.media.found} found, {summary.media.missing} missing, {summary.media.omitted}{' '}
          left out of the export
          {summary.skipped.total > 0
            ? `; ${summary.skipped.total} lines skipped (${Object.entries(summary.skipped.reasons)
                .map(([reason, n]) => `${n} ${reason.replaceAll('_', ' ')}`)
                .join(', ')})`
            : ''}
          .
        </Notice>
      ) : null}
      <div className="buttons">
        <button type="submit" className="primary" disabled={progress !== undefined}>
          Upload and import
        </button>
        <button type="button" onClick={onCancel}>
          Close
        </button>
      </div>
    </form>
  );
}

/** An upload with progress (fetch cannot report it): the file itself as the body, the CSRF token sent. */
function upload(url: string, file: File, onProgress: (share: number) => void): Promise<ImportSummary> {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', url);
    request.setRequestHeader(
      'content-type',
      file.name.toLowerCase().endsWith('.zip') ? 'application/zip' : 'text/plain',
    );
    const csrf = currentCsrf();
    if (csrf) request.setRequestHeader('x-csrf-token', csrf);
    request.upload.onprogress = (event) => event.lengthComputable && onProgress(event.loaded / event.total);
    request.upload.onload = () => onProgress(1);
    request.onload = () => {
      const body = JSON.parse(request.responseText || '{}');
      if (request.status >= 200 && request.status < 300) resolve(body as ImportSummary);
      else reject(new Error(body?.error?.message ?? `The server answered ${request.status}.`));
    };
    request.onerror = () => reject(new Error('The upload was cut off. Check your connection and try again.'));
    request.send(file);
  });
}

interface SettingsValues {
  syncIntervalMinutes: number;
  backfillDays: number;
  timeZone: string;
  defaultRegion?: string;
  defaults: { syncIntervalMinutes: number; backfillDays: number };
}

const TIME_ZONES: string[] = (() => {
  try {
    return (Intl as unknown as { supportedValuesOf(key: string): string[] }).supportedValuesOf('timeZone');
  } catch {
    return [];
  }
})();

function Settings() {
  const [values, setValues] = useState<SettingsValues>();
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  useEffect(() => {
    api<SettingsValues>('GET', '/settings').then(setValues, (e) =>
      setMessage({ kind: 'error', text: describe(e) }),
    );
  }, []);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const region = String(form.get('defaultRegion') ?? '').trim();
    try {
      const saved = await api<SettingsValues>('PATCH', '/settings', {
        syncIntervalMinutes: Number(form.get('syncIntervalMinutes')),
        backfillDays: Number(form.get('backfillDays')),
        timeZone: String(form.get('timeZone') ?? '').trim(),
        defaultRegion: region ? region : null,
      });
      setValues(saved);
      setMessage({ kind: 'success', text: 'Saved. The next sync run uses these settings.' });
    } catch (failure) {
      setMessage({ kind: 'error', text: describe(failure) });
    }
  };
  return (
    <section className="panel" aria-labelledby="settings-title">
      <h1 id="settings-title">Settings</h1>
      {values ? (
        <form className="stack form-box" onSubmit={submit} aria-label="Settings">
          <Field
            label="Sync interval (minutes)"
            name="syncIntervalMinutes"
            type="number"
            min={1}
            max={1440}
            step="any"
            required
            defaultValue={values.syncIntervalMinutes}
            hint={`How often chats go to each CRM. The server's default is ${values.defaults.syncIntervalMinutes}.`}
          />
          <Field
            label="Backfill (days)"
            name="backfillDays"
            type="number"
            min={0}
            max={3650}
            required
            defaultValue={values.backfillDays}
            hint="Days of history sent when a CRM or a person is first linked."
          />
          <Field
            label="Time zone"
            name="timeZone"
            required
            list="time-zones"
            defaultValue={values.timeZone}
            hint="Transcripts are one per day in this zone."
          />
          <datalist id="time-zones">
            {TIME_ZONES.map((zone) => (
              <option key={zone} value={zone} />
            ))}
          </datalist>
          <Field
            label="Default country"
            name="defaultRegion"
            maxLength={2}
            defaultValue={values.defaultRegion ?? ''}
            placeholder="BR"
            hint="For numbers written without a country code, in WhatsApp and in the CRM (ISO code)."
          />
          {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
          <div className="buttons">
            <button type="submit" className="primary">
              Save settings
            </button>
          </div>
        </form>
      ) : message ? (
        <Notice kind={message.kind}>{message.text}</Notice>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </section>
  );
}

interface ExclusionRow {
  id: string;
  kind: 'phone' | 'group' | 'account';
  value: string;
  label?: string;
}

function Exclusions() {
  const [rows, setRows] = useState<ExclusionRow[]>();
  const [kind, setKind] = useState<ExclusionRow['kind']>('phone');
  const [groups, setGroups] = useState<{ id: string; title?: string }[]>([]);
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  const load = useCallback(
    () =>
      api<{ data: ExclusionRow[] }>('GET', '/exclusions').then(
        (r) => setRows(r.data),
        (e) => setMessage({ kind: 'error', text: describe(e) }),
      ),
    [],
  );
  useEffect(() => {
    void load();
    api<{ data: { id: string; type: string; title?: string }[] }>('GET', '/chats?limit=200').then(
      (r) => setGroups(r.data.filter((chat) => chat.type === 'group')),
      () => setGroups([]),
    );
    api<{ data: Account[] }>('GET', '/accounts').then(
      (r) => setAccounts(r.data),
      () => setAccounts([]),
    );
  }, [load]);
  const nameOf = (row: ExclusionRow) =>
    row.kind === 'group'
      ? (groups.find((g) => g.id === row.value)?.title ?? row.value)
      : row.kind === 'account'
        ? (accounts.find((a) => a.id === row.value)?.phone ?? row.value)
        : row.value;
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    try {
      await api('POST', '/exclusions', {
        kind,
        value: String(form.get('value') ?? ''),
        label: String(form.get('label') ?? '').trim() || undefined,
      });
      setMessage({
        kind: 'success',
        text: 'Excluded: from the next sync run on, nothing of it goes to a CRM.',
      });
      formElement.reset();
      await load();
    } catch (failure) {
      setMessage({ kind: 'error', text: describe(failure) });
    }
  };
  const remove = async (row: ExclusionRow) => {
    try {
      await api('DELETE', `/exclusions/${row.id}`);
      setMessage({ kind: 'success', text: `${nameOf(row)} is backed up again from the next sync run on.` });
      await load();
    } catch (failure) {
      setMessage({ kind: 'error', text: describe(failure) });
    }
  };
  const KIND_LABELS = {
    phone: 'Number',
    group: 'Group',
    account: 'WhatsApp number (all its chats)',
  } as const;
  return (
    <section className="panel" aria-labelledby="exclusions-title">
      <h1 id="exclusions-title">Never back up</h1>
      <p className="muted">
        Private chats stay out of every CRM: a person's number, a group, or all chats of one of your WhatsApp
        numbers. What a CRM received before stays there.
      </p>
      <form className="inline-form" onSubmit={submit} aria-label="Exclude from backups">
        <div className="field">
          <label htmlFor="exclusion-kind">What</label>
          <select
            id="exclusion-kind"
            value={kind}
            onChange={(event) => setKind(event.target.value as ExclusionRow['kind'])}
          >
            <option value="phone">A number</option>
            <option value="group">A group</option>
            <option value="account">A WhatsApp number of yours</option>
          </select>
        </div>
        {kind === 'phone' ? (
          <Field label="Number" name="value" required placeholder="+55 11 98765-4321" />
        ) : null}
        {kind === 'group' ? (
          <div className="field">
            <label htmlFor="exclusion-group">Group</label>
            <select id="exclusion-group" name="value" required>
              {groups.map((group) => (
                <option key={group.id} value={group.id}>
                  {group.title ?? group.id}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        {kind === 'account' ? (
          <div className="field">
            <label htmlFor="exclusion-account">WhatsApp number</label>
            <select id="exclusion-account" name="value" required>
              {accounts.map((account) => (
                <option key={account.id} value={account.id}>
                  {account.displayName ? `${account.displayName} (${account.phone})` : account.phone}
                </option>
              ))}
            </select>
          </div>
        ) : null}
        <Field label="Note (optional)" name="label" placeholder="e.g. family" />
        <button type="submit" className="primary">
          Exclude
        </button>
      </form>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
      {rows?.length === 0 ? <p className="muted">Nothing is excluded: every chat is backed up.</p> : null}
      {rows && rows.length > 0 ? (
        <ul className="list compact" aria-label="Excluded">
          {rows.map((row) => (
            <li key={row.id} className="row">
              <span className="row-main">
                <span className="row-title">{nameOf(row)}</span>
                <span className="row-sub">
                  {KIND_LABELS[row.kind]}
                  {row.label ? ` · ${row.label}` : ''}
                </span>
              </span>
              <button type="button" className="link" onClick={() => void remove(row)}>
                Back up again
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
