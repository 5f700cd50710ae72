import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, describe } from '../../api';
import type { Schemas } from '../../types';
import { Field, Notice } from '../../ui';

type AlertSettings = Schemas['AlertSettings'];
type Alert = Schemas['Alert'];

/**
 * Alerts to admins when a number stops capturing or a CRM connection stops syncing: where they go
 * (a webhook, an SMTP server e-mailing the admins), "Send test alert", and the last alerts sent.
 */
export function Alerts() {
  const [values, setValues] = useState<AlertSettings>();
  const [sent, setSent] = useState<Alert[]>([]);
  const [message, setMessage] = useState<{ kind: 'error' | 'success'; text: string }>();
  const [busy, setBusy] = useState(false);
  const loadSent = useCallback(
    () =>
      api<{ data: Alert[] }>('GET', '/alerts?limit=10').then(
        (answer) => setSent(answer.data),
        () => undefined,
      ),
    [],
  );
  useEffect(() => {
    api<AlertSettings>('GET', '/settings/alerts').then(setValues, (e) =>
      setMessage({ kind: 'error', text: describe(e) }),
    );
    void loadSent();
  }, [loadSent]);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name: string) => String(form.get(name) ?? '').trim();
    const secret = value('webhookSecret');
    const host = value('smtpHost');
    const password = value('smtpPassword');
    setBusy(true);
    try {
      const saved = await api<AlertSettings>('PATCH', '/settings/alerts', {
        webhookUrl: value('webhookUrl') || null,
        ...(secret ? { webhookSecret: secret } : {}),
        smtp: host
          ? {
              host,
              port: Number(value('smtpPort') || 587),
              secure: form.get('smtpSecure') === 'on',
              ...(value('smtpUser') ? { user: value('smtpUser') } : {}),
              ...(password ? { password } : {}),
              from: value('smtpFrom'),
            }
          : null,
      });
      setValues(saved);
      setMessage({ kind: 'success', text: 'Saved.' });
    } catch (failure) {
      setMessage({ kind: 'error', text: describe(failure) });
    } finally {
      setBusy(false);
    }
  };
  const test = async () => {
    setBusy(true);
    try {
      const answer = await api<{ data: Alert[] }>('POST', '/settings/alerts/test');
      const failed = answer.data.filter((alert) => !alert.delivered);
      setMessage(
        failed.length === 0
          ? { kind: 'success', text: 'Test alert sent.' }
          : {
              kind: 'error',
              text: failed.map((a) => `${a.channel}: ${a.error ?? 'not delivered'}`).join('; '),
            },
      );
      void loadSent();
    } catch (failure) {
      setMessage({ kind: 'error', text: describe(failure) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section className="panel" aria-labelledby="alerts-title">
      <h1 id="alerts-title">Alerts</h1>
      <p className="muted">
        Admins are told once when a number stops capturing or a CRM connection stops syncing, and once when it
        is fine again.
      </p>
      {values ? (
        <form className="stack form-box" onSubmit={submit} aria-label="Alerts">
          <Field
            label="Webhook URL"
            name="webhookUrl"
            type="url"
            defaultValue={values.webhookUrl ?? ''}
            hint="Each alert is POSTed here as JSON. Leave empty for none."
          />
          <Field
            label="Signing secret"
            name="webhookSecret"
            type="password"
            autoComplete="off"
            minLength={16}
            placeholder={values.webhookSigned ? 'set (leave empty to keep)' : ''}
            hint="Optional, 16 characters or more: alerts then carry an X-Wasync-Signature (HMAC-SHA256)."
          />
          <Field
            label="SMTP server"
            name="smtpHost"
            defaultValue={values.smtp?.host ?? ''}
            hint={`E-mail goes to the admins${values.recipients.length > 0 ? ` (${values.recipients.join(', ')})` : ''}. Leave empty for none.`}
          />
          <Field
            label="SMTP port"
            name="smtpPort"
            type="number"
            min={1}
            max={65535}
            defaultValue={values.smtp?.port ?? 587}
          />
          <div className="field">
            <label className="check">
              <input type="checkbox" name="smtpSecure" defaultChecked={values.smtp?.secure ?? false} />
              TLS from the start (port 465)
            </label>
          </div>
          <Field
            label="SMTP user"
            name="smtpUser"
            autoComplete="off"
            defaultValue={values.smtp?.user ?? ''}
          />
          <Field
            label="SMTP password"
            name="smtpPassword"
            type="password"
            autoComplete="off"
            placeholder={values.smtp?.passwordSet ? 'set (leave empty to keep)' : ''}
          />
          <Field label="From address" name="smtpFrom" type="email" defaultValue={values.smtp?.from ?? ''} />
          {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
          <div className="buttons">
            <button type="submit" className="primary" disabled={busy}>
              Save alerts
            </button>
            <button type="button" disabled={busy} onClick={() => void test()}>
              Send test alert
            </button>
          </div>
          {sent.length > 0 ? (
            <ul className="health-signs" aria-label="Alerts sent">
              {sent.map((alert) => (
                <li key={alert.id} className={alert.delivered ? '' : 'health-sign-trouble'}>
                  {new Date(alert.sentAt).toLocaleString()} · {alert.event} · {alert.subject.label}:{' '}
                  {alert.message} ({alert.channel}
                  {alert.delivered ? '' : `, not delivered: ${alert.error ?? ''}`}
                  {alert.attempts > 1 ? `, ${alert.attempts} tries` : ''}
                  {alert.retryAt ? `; trying again ${new Date(alert.retryAt).toLocaleString()}` : ''})
                </li>
              ))}
            </ul>
          ) : null}
        </form>
      ) : message ? (
        <Notice kind={message.kind}>{message.text}</Notice>
      ) : (
        <p className="muted">Loading…</p>
      )}
    </section>
  );
}
