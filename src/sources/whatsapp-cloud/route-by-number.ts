/**
 * Meta sends the webhooks of every number of an app to the app's one callback URL ("Webhook overrides",
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/override/: a number
 * or WABA may have its own URL for some fields, all else falls back to the app's). Each
 * `entry[].changes[]` names its number in `value.metadata.phone_number_id` ("messages webhook
 * reference"); these helpers read those ids and cut a body into one body per number.
 */

/** The numbers a webhook body names, and whether some change names none (account-level fields). */
export interface NumbersNamed {
  phoneNumberIds: string[];
  unaddressed: number;
}

export function numbersNamed(body: unknown): NumbersNamed {
  const ids = new Set<string>();
  let unaddressed = 0;
  for (const change of changesOf(body)) {
    const id = phoneNumberIdOf(change);
    if (id === undefined) unaddressed++;
    else ids.add(id);
  }
  return { phoneNumberIds: [...ids], unaddressed };
}

/**
 * The body with only the changes addressed to `phoneNumberId` (entries left empty dropped); everything
 * else of the envelope (`object`, each entry's `id`) is kept as it was.
 */
export function partFor(body: Record<string, unknown>, phoneNumberId: string): string {
  const entries = Array.isArray(body.entry) ? body.entry : [];
  const kept = entries.flatMap((entry) => {
    if (!isRecord(entry) || !Array.isArray(entry.changes)) return [];
    const changes = entry.changes.filter((change) => phoneNumberIdOf(change) === phoneNumberId);
    return changes.length > 0 ? [{ ...entry, changes }] : [];
  });
  return JSON.stringify({ ...body, entry: kept });
}

function changesOf(body: unknown): unknown[] {
  const entries = isRecord(body) && Array.isArray(body.entry) ? body.entry : [];
  return entries.flatMap((entry) => (isRecord(entry) && Array.isArray(entry.changes) ? entry.changes : []));
}

function phoneNumberIdOf(change: unknown): string | undefined {
  const value = isRecord(change) && isRecord(change.value) ? change.value : undefined;
  const metadata = value && isRecord(value.metadata) ? value.metadata : undefined;
  const id = metadata?.phone_number_id;
  return typeof id === 'string' || typeof id === 'number' ? String(id) : undefined;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
