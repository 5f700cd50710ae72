import { PERMISSION_SET } from './access.js';
import { CHAT_FIELDS } from './custom-object.js';

/** The part of `GET /sobjects/{type}/describe` the connection test reads. */
export interface ObjectDescribe {
  fields?: { name: string; createable?: boolean; updateable?: boolean }[];
}

/**
 * What keeps the sync from writing, as describe shows it to the user wasync signs in as: a field it
 * cannot see or cannot write is missing field-level security (describe leaves out fields the user may
 * not read, and marks read-only ones not createable).
 */
export function fieldAccessProblems(describe: ObjectDescribe): string[] {
  const fields = new Map((describe.fields ?? []).map((f) => [f.name.toLowerCase(), f]));
  const blocked = CHAT_FIELDS.map((f) => f.fullName as string).filter((name) => {
    const field = fields.get(name.toLowerCase());
    return !field?.createable || !field.updateable;
  });
  if (blocked.length === 0) return [];
  return [
    `The user wasync signs in as cannot write ${blocked.join(', ')} on WhatsApp Chat (field-level security): run \`wasync setup salesforce\` again, or assign the "${PERMISSION_SET.Label}" permission set (API name ${PERMISSION_SET.Name}) to that user.`,
  ];
}
