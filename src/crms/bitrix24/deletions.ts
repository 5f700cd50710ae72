import { CrmError, type DeletionResult, type WrittenObject } from '../types.js';
import { isNotFound } from './errors.js';
import { isBitrix24Id } from './mapping.js';
import type { Bitrix24Command, Bitrix24Transport } from './transport.js';

/**
 * Deletes what wasync wrote, 50 commands to a batch request: a day's comment (`chat_record`, and
 * `note` alike) by `crm.timeline.comment.delete` with its `id` (the only required parameter; a comment
 * on one record needs no owner: crm-timeline-comment-delete.md), the files on it going with it
 * (unverified), and a Disk file by `disk.file.delete` (permanently, not to the trash:
 * disk-file-delete.md). An object the portal no longer has (NOT_FOUND, ERROR_NOT_FOUND) counts as gone.
 */
export async function deleteWritten(
  transport: Bitrix24Transport,
  objects: readonly WrittenObject[],
): Promise<DeletionResult[]> {
  const results: DeletionResult[] = new Array(objects.length);
  const sent: number[] = [];
  const commands: Bitrix24Command[] = [];
  for (const [index, object] of objects.entries()) {
    if (!isBitrix24Id(object.id)) {
      results[index] = {
        ok: false,
        error: new CrmError({
          kind: 'rejected',
          code: 'INVALID_ID',
          message: `${object.id} is not a Bitrix24 ${object.kind === 'file' ? 'Disk file' : 'comment'} id`,
        }),
      };
      continue;
    }
    sent.push(index);
    commands.push({
      method: object.kind === 'file' ? 'disk.file.delete' : 'crm.timeline.comment.delete',
      params: { id: Number(object.id) },
    });
  }
  const answered = await transport.batch(commands);
  sent.forEach((index, i) => {
    const outcome = answered[i];
    if (outcome?.ok) results[index] = { ok: true, alreadyGone: false };
    else if (outcome && isNotFound(outcome.error)) results[index] = { ok: true, alreadyGone: true };
    else
      results[index] = {
        ok: false,
        error:
          outcome?.error ??
          new CrmError({ kind: 'retryable', code: 'NO_ANSWER', message: 'Bitrix24 gave no answer' }),
      };
  });
  return results;
}
