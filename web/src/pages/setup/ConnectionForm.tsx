import { type FormEvent, useId, useState } from 'react';
import { api, describe } from '../../api';
import type { CrmFormField, CrmKind } from '../../types';
import { Field, Notice } from '../../ui';

/** The values of a kind's select fields (a sign-in flow), which other fields show or hint by. */
type Choices = Record<string, string>;

const visible = (field: CrmFormField, choices: Choices) =>
  !field.when || field.when.values.includes(choices[field.when.field] ?? '');

const hintOf = (field: CrmFormField, choices: Choices) =>
  field.hintWhen?.find((h) => choices[h.field] === h.value)?.hint ?? field.hint;

/** Puts `value` at a dotted path (`auth.clientId`) of `body`. */
function setPath(body: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let target = body;
  for (const part of parts.slice(0, -1)) {
    target[part] ??= {};
    target = target[part] as Record<string, unknown>;
  }
  target[parts[parts.length - 1] ?? path] = value;
}

/**
 * One kind's connection form, rendered from the form the server describes for it (GET /crm-kinds):
 * a select is a choice of radio buttons, fields show while the choice they depend on is made, an empty
 * optional field is left out (or sent as null where the kind says so), and text is trimmed (not a PEM).
 */
export function ConnectionForm({ kind, onDone }: { kind: CrmKind; onDone: () => Promise<void> }) {
  const [choices, setChoices] = useState<Choices>(() =>
    Object.fromEntries(
      kind.form.fields
        .filter((field) => field.type === 'select')
        .map((field) => [field.name, field.defaultValue ?? field.options?.[0]?.value ?? '']),
    ),
  );
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const body: Record<string, unknown> = { kind: kind.kind };
    for (const field of kind.form.fields) {
      if (!visible(field, choices)) continue;
      const raw = field.type === 'select' ? (choices[field.name] ?? '') : String(form.get(field.name) ?? '');
      const value = field.type === 'textarea' ? raw : raw.trim();
      if (value !== '') setPath(body, field.name, value);
      else if (field.emptyAsNull) setPath(body, field.name, null);
    }
    setBusy(true);
    setError(undefined);
    try {
      await api('POST', '/connections', body);
      await onDone();
    } catch (failure) {
      setError(describe(failure));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack form-box" onSubmit={submit} aria-label={`Connect ${kind.displayName}`}>
      <h2>{kind.displayName}</h2>
      {kind.form.intro ? <p className="muted small">{withCode(kind.form.intro)}</p> : null}
      {kind.form.fields
        .filter((field) => visible(field, choices))
        .map((field) =>
          field.type === 'select' ? (
            <fieldset className="choice" key={field.name}>
              <legend>{field.label}</legend>
              {field.options?.map((option) => (
                <label key={option.value}>
                  <input
                    type="radio"
                    name={field.name}
                    value={option.value}
                    checked={choices[field.name] === option.value}
                    onChange={() => setChoices((current) => ({ ...current, [field.name]: option.value }))}
                  />{' '}
                  {option.label}
                </label>
              ))}
            </fieldset>
          ) : field.type === 'textarea' ? (
            <TextArea key={field.name} field={field} />
          ) : (
            <Field
              key={field.name}
              label={field.label}
              name={field.name}
              type={field.type}
              required={field.required}
              defaultValue={field.defaultValue}
              placeholder={field.placeholder}
              pattern={field.pattern}
              hint={hintOf(field, choices)}
              autoComplete={field.secret || field.name.includes('.') ? 'off' : undefined}
            />
          ),
        )}
      {kind.form.fields.some((field) => field.secret) ? (
        <p className="muted small">Secrets are stored encrypted and never shown again.</p>
      ) : null}
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

/** Text with `backticks` around code, as <code>. */
function withCode(text: string) {
  return text.split('`').map((part, index) =>
    // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one fixed text, never reordered.
    index % 2 === 1 ? <code key={index}>{part}</code> : part,
  );
}

function TextArea({ field }: { field: CrmFormField }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{field.label}</label>
      <textarea
        id={id}
        name={field.name}
        rows={5}
        required={field.required}
        placeholder={field.placeholder}
        defaultValue={field.defaultValue}
      />
      {field.hint ? <p className="hint">{field.hint}</p> : null}
    </div>
  );
}
