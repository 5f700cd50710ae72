import { type FormEvent, useEffect, useRef, useState } from 'react';
import { LINKED_DEVICE_RISK as RISK } from '../../../../src/sources/whatsapp-web/risk.js';
import { ApiError, api, describe, streamEvents } from '../../api';
import type { PairingEvent, Schemas } from '../../types';
import { Field, FormActions, formatTime, Notice } from '../../ui';
import type { Account } from './Accounts';

const STATE_NAMES: Record<string, string> = {
  unpaired: 'Not paired',
  pairing: 'Pairing',
  connecting: 'Connecting',
  connected: 'Connected',
  disconnected: 'Disconnected',
  banned: 'Banned for a while',
  replaced: 'Stopped: another copy connected',
  logged_out: 'Logged out',
};

const PHASE_NAMES: Record<string, string> = {
  bootstrap: 'First history',
  recent: 'Recent history',
  full: 'Full history',
  on_demand: 'Gap fill',
  push_names: 'Names',
};

/** A linked-device account's session: state and why, last event, history progress; pair or unlink. */
export function LinkedDeviceStatus({ account, onChanged }: { account: Account; onChanged: () => void }) {
  const device = account.linkedDevice;
  const [pairing, setPairing] = useState(false);
  const [error, setError] = useState<string>();
  if (!device) return null;
  const paired = device.state !== 'unpaired' && device.state !== 'logged_out' && device.state !== 'pairing';
  const unlink = async () => {
    if (!window.confirm(`Unlink ${account.phone}? WhatsApp removes the device; stored messages stay.`))
      return;
    try {
      await api('DELETE', `/accounts/${account.id}/pairing`);
      onChanged();
    } catch (failure) {
      setError(describe(failure));
    }
  };
  const resume = async () => {
    if (!window.confirm(`Resume ${account.phone}? Stop the other copy of this session first.`)) return;
    try {
      await api('POST', `/accounts/${account.id}/pairing/resume`);
      onChanged();
    } catch (failure) {
      setError(describe(failure));
    }
  };
  const phases = Object.entries(device.history).filter(([, phase]) => phase.messages > 0 || !phase.complete);
  return (
    <div className="linked-device">
      <p className="small">
        <span className={`state state-${device.state}`}>{STATE_NAMES[device.state] ?? device.state}</span>
        {device.reason ? ` · ${device.reason}` : ''} · last event {formatTime(device.lastEventAt)}
        {device.gapSince
          ? ` · asking the phone for what was missed since ${formatTime(device.gapSince)}`
          : ''}
      </p>
      {phases.length > 0 ? (
        <ul className="small muted history" aria-label="History sync">
          {phases.map(([phase, h]) => (
            <li key={phase}>
              {PHASE_NAMES[phase] ?? phase}: {h.messages} messages
              {h.complete ? ', complete' : ` (${h.progress}%)`}
            </li>
          ))}
        </ul>
      ) : null}
      {device.optedInBy ? (
        <p className="small muted">
          Opted in by {device.optedInBy} on {formatTime(device.optedInAt)}
        </p>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      {pairing ? (
        <PairingPanel
          account={account}
          onDone={() => {
            setPairing(false);
            onChanged();
          }}
        />
      ) : (
        <div className="buttons">
          {device.state === 'replaced' ? (
            <button type="button" className="primary" onClick={() => void resume()}>
              Resume
            </button>
          ) : null}
          {paired ? (
            <button type="button" onClick={() => void unlink()}>
              Unlink
            </button>
          ) : (
            <button type="button" className="primary" onClick={() => setPairing(true)}>
              Pair with the phone
            </button>
          )}
        </div>
      )}
    </div>
  );
}

/** Adds a number to link: its phone, then the pairing itself. */
export function LinkForm({ onDone, onCancel }: { onDone: () => void; onCancel: () => void }) {
  const [account, setAccount] = useState<Account>();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    setError(undefined);
    try {
      const created = await api<Account>('POST', '/accounts', {
        phone: String(form.get('phone') ?? '').trim(),
        displayName: String(form.get('displayName') ?? '').trim() || undefined,
        sourceKind: 'linked_device',
      });
      setAccount(created);
      onDone();
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  };
  if (account) {
    return (
      <div className="form-box">
        <PairingPanel
          account={account}
          onDone={() => {
            onDone();
            onCancel();
          }}
        />
      </div>
    );
  }
  return (
    <form className="stack form-box" onSubmit={submit} aria-label="Link a WhatsApp account">
      <h2>Link a WhatsApp account</h2>
      <p className="small muted">
        Like WhatsApp Web: the phone stays the account; wasync becomes one of its linked devices and backs up
        every chat, groups included, with their history, whether or not a browser is open.
      </p>
      <Field label="Phone number" name="phone" required placeholder="+55 11 98765 4321" />
      <Field label="Name (optional)" name="displayName" />
      <FormActions error={error} busy={busy} submit="Next: pair" busyLabel="Adding…" onCancel={onCancel} />
    </form>
  );
}

type Step =
  | { kind: 'consent' }
  | { kind: 'waiting' }
  | { kind: 'qr'; svg: string }
  | { kind: 'code'; code: string }
  | { kind: 'connected'; me: string }
  | { kind: 'failed'; reason: string };

/** The pairing screen: the risk and the owner's opt-in, then QR codes (or a code) until the phone confirms. */
export function PairingPanel({ account, onDone }: { account: Account; onDone: () => void }) {
  const [step, setStep] = useState<Step>({ kind: 'consent' });
  const [method, setMethod] = useState<'qr' | 'code'>('qr');
  const abort = useRef<AbortController>(undefined);
  useEffect(() => () => abort.current?.abort(), []);

  const start = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    abort.current = new AbortController();
    setStep({ kind: 'waiting' });
    try {
      const body: Schemas['Pairing'] = { method, acceptRisk: true };
      await streamEvents(
        'POST',
        `/accounts/${account.id}/pairing`,
        body,
        (type, data) => {
          const event = { ...(data as object), type } as PairingEvent;
          if (event.type === 'qr') setStep({ kind: 'qr', svg: event.svg });
          else if (event.type === 'code') setStep({ kind: 'code', code: event.code });
          else if (event.type === 'connected') setStep({ kind: 'connected', me: event.me });
          else if (event.type === 'failed') setStep({ kind: 'failed', reason: event.reason });
        },
        abort.current.signal,
      );
    } catch (failure) {
      if (failure instanceof ApiError || !abort.current.signal.aborted)
        setStep({ kind: 'failed', reason: describe(failure) });
    }
  };

  if (step.kind === 'consent' || step.kind === 'failed') {
    return (
      <form className="stack pairing" onSubmit={start} aria-label={`Pair ${account.phone}`}>
        <h3>Pair {account.phone}</h3>
        {step.kind === 'failed' ? <Notice kind="error">{step.reason}</Notice> : null}
        <Notice kind="info">
          <strong>Before you link:</strong> {RISK}
        </Notice>
        <label className="check">
          <input type="checkbox" name="acceptRisk" required /> I own this WhatsApp account and accept this
          risk.
        </label>
        <fieldset className="choices">
          <legend>How to pair</legend>
          <label className="check">
            <input type="radio" name="method" checked={method === 'qr'} onChange={() => setMethod('qr')} />{' '}
            Scan a QR code with the phone
          </label>
          <label className="check">
            <input
              type="radio"
              name="method"
              checked={method === 'code'}
              onChange={() => setMethod('code')}
            />{' '}
            Type a code on the phone instead
          </label>
        </fieldset>
        <div className="buttons">
          <button type="submit" className="primary">
            {step.kind === 'failed' ? 'Try again' : 'Show the code'}
          </button>
          <button type="button" onClick={onDone}>
            Cancel
          </button>
        </div>
      </form>
    );
  }
  if (step.kind === 'connected') {
    return (
      <div className="stack pairing">
        <Notice kind="success">
          Linked. History is arriving from the phone and appears in Chats as it is stored; Setup shows its
          progress.
        </Notice>
        <div className="buttons">
          <button type="button" className="primary" onClick={onDone}>
            Done
          </button>
        </div>
      </div>
    );
  }
  return (
    <div className="stack pairing" aria-live="polite">
      <h3>Pair {account.phone}</h3>
      {step.kind === 'waiting' ? <p className="muted">Connecting to WhatsApp…</p> : null}
      {step.kind === 'qr' ? (
        <>
          <ol className="small steps">
            <li>Open WhatsApp on the phone of {account.phone}.</li>
            <li>Settings → Linked devices → Link a device.</li>
            <li>Point the phone at this code. A new one comes every 20 seconds.</li>
          </ol>
          <img
            className="qr"
            src={`data:image/svg+xml;charset=utf-8,${encodeURIComponent(step.svg)}`}
            alt="QR code to scan with WhatsApp on the phone"
            width={264}
            height={264}
          />
        </>
      ) : null}
      {step.kind === 'code' ? (
        <>
          <ol className="small steps">
            <li>Open WhatsApp on the phone of {account.phone}.</li>
            <li>Settings → Linked devices → Link a device → Link with phone number instead.</li>
            <li>Type this code:</li>
          </ol>
          <output className="pairing-code" aria-label="Pairing code">
            {step.code.slice(0, 4)}-{step.code.slice(4)}
          </output>
        </>
      ) : null}
      <div className="buttons">
        <button
          type="button"
          onClick={() => {
            abort.current?.abort();
            onDone();
          }}
        >
          Cancel
        </button>
      </div>
    </div>
  );
}
