import { type FormEvent, useEffect, useRef, useState } from 'react';
import { Link } from 'react-router';
import { api, currentCsrf, describe } from '../../api';
import { useList } from '../../list';
import { formatPhone } from '../../phone';
import type { Schemas } from '../../types';
import { CopyField, Field, FormActions, formatTime, Notice } from '../../ui';
import { AccessForm, AccessSummary } from './AccountAccess';
import { CoexistenceStatus } from './Coexistence';
import { LinkedDeviceStatus, LinkForm } from './LinkedDevice';

/** A connected WhatsApp number as GET /accounts answers it. */
export type Account = Schemas['Account'];

const LINKED_DEVICE_REFRESH_MS = 10_000;

const KIND_NAMES: Record<string, string> = {
  whatsapp_cloud: 'Cloud API',
  chat_export: 'Chat exports',
  rest: 'REST ingest',
  linked_device: 'Linked device',
};

export function Accounts() {
  const [adding, setAdding] = useState<'whatsapp_cloud' | 'chat_export' | 'linked_device'>();
  const [editing, setEditing] = useState<string>();
  const [error, setError] = useState<string>();
  const { rows, reload: load } = useList<Account>('/accounts', setError);
  // A linked device's state changes on its own (a drop, a reconnect, history arriving): look again.
  const watching = rows?.some((account) => account.linkedDevice) ?? false;
  useEffect(() => {
    if (!watching) return;
    const timer = setInterval(() => void load(), LINKED_DEVICE_REFRESH_MS);
    return () => clearInterval(timer);
  }, [watching, load]);
  return (
    <section className="panel" aria-labelledby="accounts-title">
      <div className="panel-head">
        <h1 id="accounts-title">WhatsApp numbers</h1>
        <div className="buttons">
          <button type="button" className="primary" onClick={() => setAdding('whatsapp_cloud')}>
            Add a Cloud API number
          </button>
          <button type="button" onClick={() => setAdding('linked_device')}>
            Link a WhatsApp (QR code)
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
      {adding === 'linked_device' ? (
        <LinkForm onDone={() => void load()} onCancel={() => setAdding(undefined)} />
      ) : null}
      {adding === 'chat_export' ? (
        <ImportForm
          accounts={(rows ?? []).filter((account) => account.access?.yours !== 'none')}
          onDone={() => void load()}
          onCancel={() => setAdding(undefined)}
        />
      ) : null}
      {rows?.length === 0 ? <p className="muted">No number yet.</p> : null}
      {rows?.map((account) => (
        <article key={account.id} className="item" aria-label={account.phone}>
          <div className="item-head">
            <div>
              <span className="item-title">{account.displayName ?? formatPhone(account.phone)}</span>{' '}
              <span className="tag">{KIND_NAMES[account.sourceKind] ?? account.sourceKind}</span>{' '}
              {account.health ? <HealthBadge health={account.health} /> : null}
              <div className="muted small">
                {account.displayName ? `${formatPhone(account.phone)} · ` : ''}
                {account.chats} chats · {account.messages} messages · last message{' '}
                {formatTime(account.lastMessageAt)}
              </div>
              {account.access ? <AccessSummary access={account.access} /> : null}
              {account.health && account.health.signs.length > 0 ? (
                <HealthSigns health={account.health} />
              ) : null}
            </div>
            {account.access?.canManage && editing !== account.id ? (
              <button type="button" onClick={() => setEditing(account.id)}>
                Who reads it
              </button>
            ) : null}
          </div>
          {editing === account.id && account.access ? (
            <AccessForm
              account={{ ...account, access: account.access }}
              onSaved={() => {
                setEditing(undefined);
                void load();
              }}
              onCancel={() => setEditing(undefined)}
            />
          ) : null}
          {account.cloud ? (
            <div className="cloud">
              <CopyField value={account.cloud.appWebhookUrl} label="Webhook URL (the app's)" />
              <CopyField value={account.cloud.verifyToken} label="Verify token (webhook)" />
              <CopyField value={account.cloud.webhookUrl} label="This number's own URL (override)" />
              <p className="small muted">
                Webhook: last delivery {formatTime(account.cloud.lastDeliveryAt)} ·{' '}
                {account.cloud.deliveries.processed} processed · {account.cloud.deliveries.pending} waiting ·{' '}
                {account.cloud.signatureFailures} refused (bad signature)
              </p>
              {account.cloud.deliveries.lastError ? (
                <Notice kind="error">Last processing error: {account.cloud.deliveries.lastError}</Notice>
              ) : null}
              <CoexistenceStatus account={account} onChanged={() => void load()} />
            </div>
          ) : null}
          {account.linkedDevice ? (
            <LinkedDeviceStatus account={account} onChanged={() => void load()} />
          ) : null}
        </article>
      ))}
    </section>
  );
}

const HEALTH_WORDS: Record<Schemas['Health']['status'], string> = {
  ok: 'OK',
  warning: 'Warning',
  trouble: 'Trouble',
};

/** ok, warning or trouble, and whether messages arrive, at a glance. */
export function HealthBadge({ health }: { health: Schemas['Health'] }) {
  const connected =
    health.connected === undefined ? '' : health.connected ? ' · connected' : ' · not connected';
  return (
    <span className={`health health-${health.status}`} title="Health: connected or not, and signs of trouble">
      {HEALTH_WORDS[health.status]}
      {connected}
    </span>
  );
}

/** Each sign of trouble in words, with since when. */
export function HealthSigns({ health }: { health: Schemas['Health'] }) {
  return (
    <ul className="health-signs" aria-label="Signs of trouble">
      {health.signs.map((sign) => (
        <li key={sign.code} className={`health-sign-${sign.level}`}>
          {sign.message}
          {sign.since ? <span className="muted"> (since {formatTime(sign.since)})</span> : null}
        </li>
      ))}
    </ul>
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
          coexistence: form.get('coexistence')
            ? { onboardedAt: value('onboardedAt') && new Date(value('onboardedAt') as string).toISOString() }
            : undefined,
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
          is shared with the WhatsApp Business app; <code>standby</code> if Meta's business agent answers on
          it). The URL is the app's: it takes every number of the app and hands each change to its number.
          <CopyField value={created.cloud.appWebhookUrl} label="Callback URL" />
          <CopyField value={created.cloud.verifyToken} label="Verify token" />
          <CopyField value={created.cloud.webhookUrl} label="This number's own URL (override)" />
        </Notice>
        {created.cloud.coexistence ? <CoexistenceStatus account={created} onChanged={onDone} /> : null}
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
      <label className="check">
        <input type="checkbox" name="coexistence" /> Shared with the WhatsApp Business app (coexistence): ask
        Meta for its contacts and chat history
      </label>
      <Field
        label="Onboarded at (optional)"
        name="onboardedAt"
        type="datetime-local"
        hint="When Embedded Signup finished; now when left empty. Meta takes the history request for 24 hours."
      />
      <Field
        label="Graph API URL (optional)"
        name="graphBaseUrl"
        type="url"
        placeholder="https://graph.facebook.com"
      />
      <FormActions error={error} busy={busy} submit="Add number" busyLabel="Adding…" onCancel={onCancel} />
    </form>
  );
}

type ImportSummary = Schemas['ImportSummary'];
type ImportStatus = Schemas['ImportStatus'];

/** What a queued import (scale mode) is doing, for the line under the form. */
function importStage(job: ImportStatus): string {
  if (job.state === 'queued') return 'Queued: waiting for a worker…';
  const p = job.progress;
  if (!p || p.total <= 0) return 'Importing…';
  const share = `${Math.min(100, Math.round((p.done / p.total) * 100))}%`;
  return p.phase === 'scan'
    ? `Importing: checking the file ${share}`
    : p.phase === 'media'
      ? `Importing: storing media ${p.done} of ${p.total}`
      : `Importing: storing messages ${share}`;
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
  const [stage, setStage] = useState<string>();
  const [summary, setSummary] = useState<ImportSummary>();
  const [error, setError] = useState<string>();
  // Polling a queued import stops when the form closes.
  const open = useRef(true);
  useEffect(() => {
    open.current = true;
    return () => {
      open.current = false;
    };
  }, []);
  /** Scale mode answers 202: a worker imports the file; its state is polled each second until it ends. */
  const follow = async (accountId: string, queued: ImportStatus): Promise<ImportSummary> => {
    let job = queued;
    while (job.state === 'queued' || job.state === 'running') {
      setStage(importStage(job));
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (!open.current) throw new Error('Closed while importing; the import goes on.');
      job = await api<ImportStatus>('GET', `/accounts/${accountId}/imports/${job.id}`);
    }
    if (job.state === 'failed' || !job.summary) throw new Error(job.error?.message ?? 'The import failed.');
    return job.summary;
  };
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
      const query = new URLSearchParams({ fileName: file.name, toCrm: String(form.get('toCrm') === 'on') });
      for (const name of ['chatWith', 'me', 'tz', 'dateOrder']) {
        const value = String(form.get(name) ?? '').trim();
        if (value) query.set(name, value);
      }
      setProgress(0);
      const answer = await upload(`/api/v1/accounts/${accountId}/imports?${query}`, file, setProgress);
      const done = answer.queued ? await follow(accountId, answer.queued) : answer.summary;
      if (!open.current) return;
      setSummary(done);
      onDone();
    } catch (failure) {
      if (open.current) setError(failure instanceof Error ? failure.message : describe(failure));
    } finally {
      if (open.current) {
        setProgress(undefined);
        setStage(undefined);
      }
    }
  };
  // Until the rep picks, the first number: the list may still be loading when the form opens.
  const [chosen, setTarget] = useState<string>();
  const target = chosen ?? accounts[0]?.id ?? 'new';
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
      <div className="field">
        <label className="check">
          <input type="checkbox" name="toCrm" defaultChecked /> Send this history to the CRM
        </label>
        <p className="hint">
          Every imported message goes to the linked contact or lead at the next sync, whatever its age.
          Unticked, only what is within the backfill window goes.
        </p>
      </div>
      {progress !== undefined ? (
        <div className="progress">
          <progress value={progress} max={1} aria-label="Upload progress" />
          <span className="small muted">
            {progress < 1 ? `Uploading ${Math.round(progress * 100)}%` : (stage ?? 'Importing…')}
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
          .{' '}
          {summary.toCrm
            ? 'The whole history goes to the CRM at the next sync.'
            : 'Only what is within the backfill window goes to the CRM.'}
          {summary.chatId ? (
            <>
              {' '}
              <Link to={`/chats/${summary.chatId}`}>Open the chat</Link>
            </>
          ) : null}
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
/** The upload's answer: the summary (embedded mode, 200), or the import a worker will run (scale mode, 202). */
type UploadAnswer = { summary: ImportSummary; queued?: undefined } | { queued: ImportStatus };

function upload(url: string, file: File, onProgress: (share: number) => void): Promise<UploadAnswer> {
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
      if (request.status === 202) resolve({ queued: body as ImportStatus });
      else if (request.status >= 200 && request.status < 300) resolve({ summary: body as ImportSummary });
      else reject(new Error(body?.error?.message ?? `The server answered ${request.status}.`));
    };
    request.onerror = () => reject(new Error('The upload was cut off. Check your connection and try again.'));
    request.send(file);
  });
}
