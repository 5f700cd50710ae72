import { type FormEvent, useState } from 'react';
import { ApiError, api, describe } from '../api';
import { useList } from '../list';
import type { Schemas } from '../types';
import { Field, formatTime, Notice } from '../ui';

type Counts = Schemas['ErasureCounts'];
type CrmWrite = Schemas['ErasureCrmWrite'];

type Erasure = Schemas['Erasure'];

type Preview = Schemas['ErasurePreview'];

type Tombstone = Schemas['Tombstone'];

const KIND_LABEL: Record<CrmWrite['kind'], string> = {
  chat_record: 'Chat record',
  note: 'Note',
  file: 'File',
};
const STATE_LABEL: Record<CrmWrite['state'], string> = {
  listed: 'Not deleted',
  deleted: 'Deleted',
  gone: 'Already gone',
  failed: 'Failed',
};

/** Privacy (admins): erase a person by number, delete what was written of them in the CRMs, tombstones, exports. */
export function PrivacyPage() {
  const [error, setError] = useState<string>();
  const erasures = useList<Erasure>('/erasures', setError);
  const tombstones = useList<Tombstone>('/tombstones', setError);
  const reload = async () => {
    await Promise.all([erasures.reload(), tombstones.reload()]);
  };
  return (
    <div className="stack-lg">
      <Erase onErased={reload} />
      <Export />
      <section className="panel" aria-labelledby="erasures-title">
        <h2 id="erasures-title">Erasures</h2>
        {error ? <Notice kind="error">{error}</Notice> : null}
        {erasures.rows === undefined ? <p className="muted">Loading…</p> : null}
        {erasures.rows?.length === 0 ? <p className="muted">No one has been erased.</p> : null}
        {erasures.rows?.map((erasure) => (
          <ErasureCard key={erasure.id} erasure={erasure} onChange={erasures.reload} />
        ))}
      </section>
      <Tombstones rows={tombstones.rows} reload={tombstones.reload} />
    </div>
  );
}

function countsLine(c: Counts): string {
  return [
    `${c.messages} messages`,
    `${c.directChats} direct chats`,
    `${c.groupChats} group chats (kept, without them)`,
    `${c.media} media`,
    `${c.reactions + c.events} reactions and edits`,
    `${c.recordLinks} CRM links`,
  ].join(' · ');
}

function Erase({ onErased }: { onErased: () => Promise<void> }) {
  const [preview, setPreview] = useState<Preview>();
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();

  const look = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const phone = String(new FormData(event.currentTarget).get('phone') ?? '');
    setMessage(undefined);
    setTyped('');
    try {
      setPreview(await api<Preview>('POST', '/erasures', { phone, dryRun: true }));
    } catch (failure) {
      setPreview(undefined);
      setMessage({ kind: 'error', text: describe(failure) });
    }
  };
  const erase = async () => {
    if (!preview) return;
    setBusy(true);
    try {
      const done = await api<Erasure>('POST', '/erasures', { phone: preview.phone });
      setMessage({
        kind: 'success',
        text: `${done.phoneHint} was erased and tombstoned. ${done.crmWrites.length} CRM writes are listed below.`,
      });
      setPreview(undefined);
      await onErased();
    } catch (failure) {
      setMessage({ kind: 'error', text: describe(failure) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="panel" aria-labelledby="erase-title">
      <h1 id="erase-title">Privacy</h1>
      <p className="muted">
        Erase a person on request: their messages, media, identities and CRM links leave wasync, and their
        number is tombstoned so no source stores it again. Group chats stay, without their messages.
      </p>
      <form onSubmit={look} className="inline-form">
        <Field label="Phone number" name="phone" required maxLength={100} placeholder="+55 11 98765-4321" />
        <button type="submit">Preview</button>
      </form>
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
      {preview ? (
        <section className="stack" aria-label="Erasure preview">
          <p>
            Erasing <strong>{preview.phone}</strong> removes: {countsLine(preview.removed)}.
          </p>
          {preview.tombstoned ? <Notice kind="info">This number is tombstoned already.</Notice> : null}
          <p className="muted">
            {preview.crmWrites.length} CRM writes were made from their chats; after the erasure they are
            listed below, to delete them in the CRM.
          </p>
          <Field
            label={`Type ${preview.phone} to confirm`}
            name="confirm"
            value={typed}
            autoComplete="off"
            onChange={(event) => setTyped(event.target.value)}
          />
          <div className="buttons">
            <button
              type="button"
              className="danger"
              disabled={busy || typed.trim() !== preview.phone}
              onClick={() => void erase()}
            >
              {busy ? 'Erasing…' : 'Erase'}
            </button>
            <button type="button" onClick={() => setPreview(undefined)}>
              Cancel
            </button>
          </div>
        </section>
      ) : null}
    </section>
  );
}

function Export() {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const phone = String(new FormData(event.currentTarget).get('phone') ?? '');
    setError(undefined);
    setBusy(true);
    try {
      const response = await fetch(`/api/v1/people/export?phone=${encodeURIComponent(phone)}`, {
        credentials: 'same-origin',
      });
      if (!response.ok) {
        const body = (await response.json().catch(() => undefined)) as
          | { error?: { message?: string } }
          | undefined;
        throw new ApiError(
          response.status,
          'export',
          body?.error?.message ?? `The server answered ${response.status}.`,
        );
      }
      const url = URL.createObjectURL(await response.blob());
      const link = document.createElement('a');
      link.href = url;
      link.download =
        /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'person.zip';
      link.click();
      URL.revokeObjectURL(url);
    } catch (failure) {
      setError(failure instanceof ApiError ? failure.message : describe(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="export-title">
      <h2 id="export-title">Export a person's data</h2>
      <p className="muted">
        For an access request: a zip with their identities, chats and messages (with edits and reactions), CRM
        links and media files. Of group chats, only their own messages.
      </p>
      <form onSubmit={submit} className="inline-form">
        <Field label="Phone number" name="phone" required maxLength={100} />
        <button type="submit" disabled={busy}>
          {busy ? 'Preparing…' : 'Download zip'}
        </button>
      </form>
      {error ? <Notice kind="error">{error}</Notice> : null}
    </section>
  );
}

function ErasureCard({ erasure, onChange }: { erasure: Erasure; onChange: () => Promise<void> }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const open = erasure.crmWrites.filter((w) => w.state === 'listed' || w.state === 'failed');
  const remove = async () => {
    if (
      !window.confirm(
        `Delete ${open.length} chat records, notes and files in the CRM? This cannot be undone.`,
      )
    )
      return;
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', `/erasures/${erasure.id}/crm-deletions`);
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
    await onChange();
  };
  return (
    <article className="stack" aria-label={`Erasure of ${erasure.phoneHint}`}>
      <h3>
        {erasure.phoneHint}{' '}
        <span className="muted">
          · {formatTime(erasure.requestedAt)} by {erasure.requestedBy}
        </span>
      </h3>
      <p className="muted">{countsLine(erasure.removed)}</p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {erasure.crmWrites.length === 0 ? (
        <p className="muted">Nothing had been written to a CRM from their chats.</p>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">CRM</th>
                <th scope="col">What</th>
                <th scope="col">On record</th>
                <th scope="col">Day</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {erasure.crmWrites.map((w) => (
                <tr key={`${w.connectionId}:${w.crmId}`}>
                  <td>{w.connectionName}</td>
                  <td>
                    {KIND_LABEL[w.kind]} <code>{w.crmId}</code>
                  </td>
                  <td>
                    {w.recordType} <code>{w.recordId}</code>
                  </td>
                  <td>{w.day ?? '—'}</td>
                  <td>
                    {STATE_LABEL[w.state]}
                    {w.state === 'failed' ? (
                      <span className="row-sub">
                        {' '}
                        {w.errorCode}: {w.error}
                      </span>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {open.length > 0 ? (
        <div className="buttons">
          <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
            {busy ? 'Deleting…' : `Delete ${open.length} in the CRM`}
          </button>
        </div>
      ) : null}
    </article>
  );
}

function Tombstones({ rows, reload }: { rows: Tombstone[] | undefined; reload: () => Promise<void> }) {
  const [error, setError] = useState<string>();
  const lift = async (tombstone: Tombstone) => {
    if (
      !window.confirm(
        `Lift the tombstone of ${tombstone.phoneHint}? Their messages are stored again from now on.`,
      )
    )
      return;
    try {
      await api('DELETE', `/tombstones/${tombstone.id}`);
    } catch (failure) {
      setError(describe(failure));
    }
    await reload();
  };
  return (
    <section className="panel" aria-labelledby="tombstones-title">
      <h2 id="tombstones-title">Tombstones</h2>
      <p className="muted">
        Erased numbers no source stores again. wasync keeps only a keyed hash of each, so only the country
        code and last two digits show.
      </p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {rows?.length === 0 ? <p className="muted">No tombstones.</p> : null}
      {rows && rows.length > 0 ? (
        <ul className="list compact" aria-label="Tombstones">
          {rows.map((tombstone) => (
            <li key={tombstone.id} className="row">
              <span className="row-main">
                <span className="row-title">{tombstone.phoneHint}</span>
                <span className="row-sub">since {formatTime(tombstone.createdAt)}</span>
              </span>
              <button type="button" className="link" onClick={() => void lift(tombstone)}>
                Lift
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
