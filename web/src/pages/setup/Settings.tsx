import { type FormEvent, useEffect, useId, useState } from 'react';
import { api, describe } from '../../api';
import { useList } from '../../list';
import { formatPhone, regionChoices } from '../../phone';
import type { Answer, Schemas } from '../../types';
import { Field, Notice } from '../../ui';
import type { Account } from './Accounts';

type SettingsValues = Schemas['WorkspaceSettings'];

/** 1536 → "1.5 KB": sizes as people read them. */
function formatBytes(bytes: number): string {
  const units = ['bytes', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

/** The workspace's media storage against its quota, and what one import may add (server configuration). */
function Storage({ storage }: { storage: SettingsValues['storage'] }) {
  const { usedBytes, quotaBytes } = storage;
  return (
    <section className="stack" aria-labelledby="storage-title">
      <h2 id="storage-title">Media storage</h2>
      <p>
        {quotaBytes === undefined
          ? `${formatBytes(usedBytes)} used; no quota.`
          : `${formatBytes(usedBytes)} of ${formatBytes(quotaBytes)} used.`}
      </p>
      {quotaBytes !== undefined ? (
        <progress aria-label="Storage used" max={quotaBytes} value={Math.min(usedBytes, quotaBytes)} />
      ) : null}
      <p className="muted">
        An import may add up to {storage.importMaxMediaFiles} media files and{' '}
        {formatBytes(storage.importMaxMediaBytes)}; one that would pass these limits or the quota is refused
        whole. Set by the server's configuration (WASYNC_STORAGE_QUOTA, WASYNC_IMPORT_MAX_MEDIA_*).
      </p>
    </section>
  );
}

const TIME_ZONES: string[] = (() => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
})();

/** Every IANA zone the browser knows, and the saved one even if it does not ("UTC" in some). */
function zoneChoices(current: string): { value: string; label: string }[] {
  const zones = TIME_ZONES.includes(current) ? TIME_ZONES : [current, ...TIME_ZONES];
  return zones.map((zone) => ({ value: zone, label: zone.replaceAll('_', ' ') }));
}

const REGION_CHOICES = regionChoices().map(({ code, name }) => ({ value: code, label: `${name} (${code})` }));

/** A labelled select; the hint is read out with it. */
function Picker({
  label,
  name,
  hint,
  defaultValue,
  options,
}: {
  label: string;
  name: string;
  hint: string;
  defaultValue: string;
  options: readonly { value: string; label: string }[];
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} name={name} defaultValue={defaultValue} aria-describedby={`${id}-hint`}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <p className="hint" id={`${id}-hint`}>
        {hint}
      </p>
    </div>
  );
}

export function Settings() {
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
        adminsSeeAllChats: form.get('adminsSeeAllChats') === 'on',
        auditRetentionDays: Number(form.get('auditRetentionDays')),
        realTime: form.get('realTime') === 'on',
        extensionCapture: form.get('extensionCapture') === 'on',
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
          <div className="field">
            <label className="check">
              <input type="checkbox" name="realTime" defaultChecked={values.realTime} />
              Near-real-time sync
            </label>
            <p className="hint">
              A new message reaches the CRM within seconds (bursts are grouped, the CRM's limits kept); the
              interval above still runs as a safety net.
            </p>
          </div>
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
          <Picker
            label="Time zone"
            name="timeZone"
            defaultValue={values.timeZone}
            hint="Transcripts are one per day in this zone."
            options={zoneChoices(values.timeZone)}
          />
          <Picker
            label="Default country"
            name="defaultRegion"
            defaultValue={values.defaultRegion ?? ''}
            hint="For numbers written without a country code, in WhatsApp and in the CRM."
            options={[{ value: '', label: 'None: every number has its country code' }, ...REGION_CHOICES]}
          />
          <div className="field">
            <label className="check">
              <input type="checkbox" name="adminsSeeAllChats" defaultChecked={values.adminsSeeAllChats} />
              Admins read every number's chats
            </label>
            <p className="hint">
              Unticked, admins read only the numbers they own, that are shared with them, or that the whole
              team reads, as members do; they still manage every number (owner, sharing).
            </p>
          </div>
          <div className="field">
            <label className="check">
              <input type="checkbox" name="extensionCapture" defaultChecked={values.extensionCapture} />
              Capture from the browser extension
            </label>
            <p className="hint">
              The browser extension backs up the chats a rep opens in WhatsApp Web into their linked-device or
              REST number, without doubling what is stored already; off, the server refuses what it sends.
            </p>
          </div>
          <Field
            label="Keep the audit log (days)"
            name="auditRetentionDays"
            type="number"
            min={1}
            max={36500}
            required
            defaultValue={values.auditRetentionDays}
            hint={`Older events are deleted. The default is ${values.defaults.auditRetentionDays}.`}
          />
          {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
          <div className="buttons">
            <button type="submit" className="primary">
              Save settings
            </button>
          </div>
          <Storage storage={values.storage} />
        </form>
      ) : message ? (
        <Notice kind={message.kind}>{message.text}</Notice>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </section>
  );
}

type ExclusionRow = Schemas['Exclusion'];

export function Exclusions() {
  const [kind, setKind] = useState<ExclusionRow['kind']>('phone');
  const [groups, setGroups] = useState<{ id: string; title?: string }[]>([]);
  const [accounts, setAccounts] = useState<Account[]>([]);
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  const { rows, reload: load } = useList<ExclusionRow>('/exclusions', (text) =>
    setMessage({ kind: 'error', text }),
  );
  useEffect(() => {
    api<Answer<'/chats', 'get'>>('GET', '/chats?limit=200').then(
      (r) => setGroups(r.data.filter((chat) => chat.type === 'group')),
      () => setGroups([]),
    );
    api<{ data: Account[] }>('GET', '/accounts').then(
      (r) => setAccounts(r.data),
      () => setAccounts([]),
    );
  }, []);
  const nameOf = (row: ExclusionRow) =>
    row.kind === 'group'
      ? (groups.find((g) => g.id === row.value)?.title ?? row.value)
      : row.kind === 'account'
        ? formatPhone(accounts.find((a) => a.id === row.value)?.phone ?? row.value)
        : formatPhone(row.value);
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
                  {account.displayName
                    ? `${account.displayName} (${formatPhone(account.phone)})`
                    : formatPhone(account.phone)}
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
