/** Types of apply-patches.js, for the tests. */
export interface PatchedFile {
  /** The package, e.g. `baileys`, and the file's path inside it. */
  name: string;
  file: string;
  hunks: { before: string[]; after: string[] }[];
}

export function packageDir(name: string, from?: string): string | undefined;
export function parsePatch(text: string): PatchedFile[];
export function applyPatch(patchFile: string, from?: string): { file: string; state: string }[];
export function applyAll(from?: string): { patch: string; file: string; state: string }[];
