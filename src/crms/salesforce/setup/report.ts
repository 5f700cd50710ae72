/** What `wasync setup salesforce` did, for the CLI, the API and the workspace. */
export interface SetupReport {
  /** What setup created or changed: metadata components, the permission set and its grants, layouts. */
  created: string[];
  /** What was there already (a second setup changes nothing). */
  existing: string[];
  /** What a person must do in the org because setup could not (a page layout it may not change). */
  manualSteps: string[];
}

export function emptyReport(): SetupReport {
  return { created: [], existing: [], manualSteps: [] };
}
