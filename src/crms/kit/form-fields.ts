import type { CrmFormField } from '../registry.js';

/** The connection's name, the first field of every kind's forms; `defaultValue` is the CRM's name. */
export function connectionNameField(defaultValue: string): CrmFormField {
  return {
    name: 'name',
    label: 'Name',
    type: 'text',
    required: true,
    secret: false,
    defaultValue,
    hint: 'How wasync shows this connection.',
  };
}
