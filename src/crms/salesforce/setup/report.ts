import type { SetupReport } from '../../registry.js';

/** What `wasync setup salesforce` did: the registry's setup report. */
export type { SetupReport };

export function emptyReport(): SetupReport {
  return { created: [], existing: [], manualSteps: [] };
}
