import type { Config } from '../../config/index.js';
import type { Services } from '../../services.js';
import { DEFAULT_LIMITS, type ExportLimits } from './archive.js';
import type { ImportOptions, ImportServices } from './import.js';

/** The configured import limits (WASYNC_IMPORT_*), on top of the fixed zip-bomb guards. */
export function exportLimitsOf(
  config: Pick<Config, 'importMaxBytes' | 'importMaxMediaFiles' | 'importMaxMediaBytes'>,
): ExportLimits {
  return {
    ...DEFAULT_LIMITS,
    maxTotalBytes: config.importMaxBytes,
    maxMediaFiles: config.importMaxMediaFiles,
    maxMediaBytes: config.importMaxMediaBytes,
  };
}

/** What an import into the workspace needs, the same for the upload route and `wasync import`. */
export function importContext(services: Pick<Services, 'ingest' | 'store' | 'config' | 'workspace'>): {
  services: ImportServices;
  limits: Pick<ImportOptions, 'limits' | 'storageQuotaBytes' | 'mediaMaxBytes'>;
} {
  const { store, config, workspace } = services;
  return {
    services: {
      ingest: services.ingest,
      blobs: store.blobs,
      storedMediaBytes: () => store.media.storedBytes(workspace.id),
      sendHistory: (chatIds, from) => store.chats.sendHistoryFrom(chatIds, from),
    },
    limits: {
      limits: exportLimitsOf(config),
      storageQuotaBytes: config.storageQuotaBytes,
      mediaMaxBytes: config.mediaMaxBytes,
    },
  };
}
