import { type InputHTMLAttributes, type ReactNode, useId, useState } from 'react';

/** A labelled input; the hint is read out with it. */
export function Field({
  label,
  hint,
  ...input
}: { label: string; hint?: string | undefined } & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} aria-describedby={hint ? `${id}-hint` : undefined} {...input} />
      {hint ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function Notice({ kind, children }: { kind: 'error' | 'info' | 'success'; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

/** wasync's mark and name, as every page's header shows it (decoration: the page names itself). */
export function Brand({ large = false }: { large?: boolean }) {
  return (
    <div className={large ? 'brand brand-large' : 'brand'} aria-hidden="true">
      <span className="brand-mark" />
      wasync
    </div>
  );
}

/** The centred card of the pages before sign-in. */
export function AuthCard({
  title,
  intro,
  children,
}: {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
}) {
  return (
    <main className="auth">
      <div className="auth-card">
        <Brand large />
        <h1>{title}</h1>
        {intro ? <p className="muted">{intro}</p> : null}
        {children}
      </div>
    </main>
  );
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const at = new Date(iso);
  const today = new Date();
  const sameDay = at.toDateString() === today.toDateString();
  return sameDay
    ? at.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : at.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

/** The end of a form: its error, the submit button (worded while busy), and Cancel. */
export function FormActions({
  error,
  busy,
  submit,
  busyLabel,
  onCancel,
}: {
  error: string | undefined;
  busy: boolean;
  submit: string;
  busyLabel: string;
  onCancel: () => void;
}) {
  return (
    <>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div className="buttons">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? busyLabel : submit}
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </>
  );
}

/** A read-only value with a Copy button: a link or a token to paste elsewhere. */
export function CopyField({ value, label }: { value: string; label: string }) {
  const [copied, setCopied] = useState(false);
  const id = useId();
  return (
    <div className="copy">
      <label htmlFor={id} className="copy-label">
        {label}
      </label>
      <input id={id} readOnly value={value} onFocus={(event) => event.currentTarget.select()} />
      <button
        type="button"
        onClick={() =>
          void navigator.clipboard?.writeText(value).then(
            () => setCopied(true),
            () => setCopied(false),
          )
        }
      >
        {copied ? 'Copied' : 'Copy'}
      </button>
    </div>
  );
}

/** A new password and its repetition, as the first-run and invite pages ask for them. */
export function NewPasswordFields() {
  return (
    <>
      <Field
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        minLength={10}
        required
        hint="At least 10 characters."
      />
      <Field label="Repeat the password" name="repeat" type="password" autoComplete="new-password" required />
    </>
  );
}

/** Whether the two new-password fields of a form differ. */
export function passwordsDiffer(form: FormData): boolean {
  return form.get('password') !== form.get('repeat');
}

/** Admin or member, for invites and API tokens. */
export function RoleSelect({ id }: { id: string }) {
  return (
    <div className="field">
      <label htmlFor={id}>Role</label>
      <select id={id} name="role" defaultValue="member">
        <option value="member">Member</option>
        <option value="admin">Admin</option>
      </select>
    </div>
  );
}
