import { type FormEvent, useId, useState } from 'react';
import { api, describe } from '../../api';
import type { CrmFormField, CrmKind, SavedConnection } from '../../types';
import { Field, Notice } from '../../ui';

/** The values of a form's select fields (a sign-in flow), which other fields show or hint by. */
export type Choices = Record<string, string>;

/** The choice of a select's `other` option: its value is the text typed in beside it. */
const OTHER = '\u0000other';

const visible = (field: CrmFormField, choices: Choices) =>
  !field.when || field.when.values.includes(choices[field.when.field] ?? '');

const hintOf = (field: CrmFormField, choices: Choices) =>
  field.hintWhen?.find((h) => choices[h.field] === h.value)?.hint ?? field.hint;

/** Where the text of a select's `other` choice is typed. */
const otherName = (field: CrmFormField) => `${field.name}#other`;

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

/** The selects' choices of a form, each at its default to begin with. */
export function useChoices(fields: CrmFormField[]) {
  return useState<Choices>(() =>
    Object.fromEntries(
      fields
        .filter((field) => field.type === 'select')
        .map((field) => [field.name, field.defaultValue ?? field.options?.[0]?.value ?? '']),
    ),
  );
}

/**
 * The body a form's fields make: a field hidden by the choice it depends on is left out, an empty
 * optional one too (or sent as null where the form says so), and text is trimmed (not a PEM).
 */
export function formBody(fields: CrmFormField[], choices: Choices, form: FormData): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const field of fields) {
    if (!visible(field, choices)) continue;
    const choice = choices[field.name] ?? '';
    const raw =
      field.type !== 'select'
        ? String(form.get(field.name) ?? '')
        : choice === OTHER
          ? String(form.get(otherName(field)) ?? '')
          : choice;
    const value = field.type === 'textarea' ? raw : raw.trim();
    if (value !== '') setPath(body, field.name, value);
    else if (field.emptyAsNull) setPath(body, field.name, null);
  }
  return body;
}

/**
 * A form's fields as the server describes them (GET /crm-kinds): a select is a choice of radio
 * buttons (its `other` choice shows a field to type the value in), and fields show while the choice
 * they depend on is made.
 */
export function FormFields({
  fields,
  choices,
  onChoose,
}: {
  fields: CrmFormField[];
  choices: Choices;
  onChoose: (field: string, value: string) => void;
}) {
  return fields
    .filter((field) => visible(field, choices))
    .map((field) =>
      field.type === 'select' ? (
        <Select key={field.name} field={field} choice={choices[field.name]} onChoose={onChoose} />
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
    );
}

function Select({
  field,
  choice,
  onChoose,
}: {
  field: CrmFormField;
  choice: string | undefined;
  onChoose: (field: string, value: string) => void;
}) {
  const options = [
    ...(field.options ?? []),
    ...(field.other ? [{ value: OTHER, label: field.other.label }] : []),
  ];
  return (
    <>
      <fieldset className="choice">
        <legend>{field.label}</legend>
        {options.map((option) => (
          <label key={option.value}>
            <input
              type="radio"
              name={field.name}
              value={option.value}
              checked={choice === option.value}
              onChange={() => onChoose(field.name, option.value)}
            />{' '}
            {option.label}
          </label>
        ))}
      </fieldset>
      {field.other && choice === OTHER ? (
        <Field
          label={field.other.label}
          name={otherName(field)}
          type={field.other.type}
          required={field.required}
          placeholder={field.other.placeholder}
        />
      ) : null}
    </>
  );
}

/** One kind's connection form, rendered from the form the server describes for it (GET /crm-kinds). */
export function ConnectionForm({
  kind,
  onDone,
}: {
  kind: CrmKind;
  /** With the saved connection (tested: it may need attention), or without when cancelled. */
  onDone: (saved?: SavedConnection) => Promise<void>;
}) {
  const [choices, setChoices] = useChoices(kind.form.fields);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const body = {
      kind: kind.kind,
      ...formBody(kind.form.fields, choices, new FormData(event.currentTarget)),
    };
    setBusy(true);
    setError(undefined);
    try {
      await onDone(await api<SavedConnection>('POST', '/connections', body));
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
      <FormFields
        fields={kind.form.fields}
        choices={choices}
        onChoose={(field, value) => setChoices((current) => ({ ...current, [field]: value }))}
      />
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
export function withCode(text: string) {
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
