import type { Account } from '../../core/model.js';
import type { CountryCode } from '../../core/phone.js';
import type { Services } from '../../services.js';
import type { ImportRequestOptions } from '../../store/repositories/imports.js';
import { type ImportProgress, type ImportSummary, importChatExportFile } from './import.js';
import { importContext } from './limits.js';
import type { DateOrder } from './parser.js';

/**
 * Imports an uploaded export, spooled to `file`, with the options it was posted with: the same call
 * whether the upload route runs it while the request waits (embedded mode) or a worker's import pass
 * runs it later from the blob store (scale mode).
 */
export function importUpload(
  services: Pick<Services, 'ingest' | 'store' | 'config' | 'workspace'>,
  file: string,
  account: Account,
  options: ImportRequestOptions,
  extra: { defaultRegion: CountryCode | undefined; onProgress?: (progress: ImportProgress) => void },
): Promise<ImportSummary> {
  const context = importContext(services);
  return importChatExportFile(context.services, file, options.fileName ?? options.chatName ?? 'upload', {
    account,
    chatWith: options.chatWith,
    me: options.me,
    chatName: options.chatName,
    timeZone: options.timeZone,
    dateOrder: options.dateOrder as DateOrder | undefined,
    toCrm: options.toCrm,
    defaultRegion: extra.defaultRegion,
    ...(extra.onProgress ? { onProgress: extra.onProgress } : {}),
    ...context.limits,
  });
}
