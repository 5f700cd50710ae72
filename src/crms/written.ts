import type { TranscriptRef, WrittenObject } from './types.js';

/**
 * What a day's ref says wasync wrote, as an erasure deletes it: the day's own object (`id`), and in
 * `related` the notes (`note`, `note:…`: a Salesforce note beside the chat record, a Zoho note on a
 * deal) and files (`file:…`: Zoho files in the record's Attachments, Bitrix24 files on Disk). Other
 * entries are bookkeeping (Bitrix24's `url:…` links and `inline:…` files on the comment, which go with
 * the comment).
 */
export function writtenObjectsOf(
  ref: Pick<TranscriptRef, 'id'> & { related?: Record<string, string> | undefined },
): WrittenObject[] {
  const objects: WrittenObject[] = [];
  for (const [name, value] of Object.entries(ref.related ?? {})) {
    if (name === 'note' || name.startsWith('note:')) objects.push({ kind: 'note', id: value });
    else if (name.startsWith('file:')) objects.push({ kind: 'file', id: value });
  }
  objects.push({ kind: 'chat_record', id: ref.id });
  return objects;
}
