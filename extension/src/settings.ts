/**
 * What the extension keeps, in chrome.storage.local (this browser profile only, never synced): the
 * wasync server, the rep's token, and their choices.
 */
export interface Settings {
  /** The wasync server's URL, `https://wasync.example.com` (no path). */
  serverUrl?: string;
  /** A personal API token with the member role, made under "Browser extension" in the workspace. */
  token?: string;
  /** Read the open chat with wa-js (WhatsApp Web's own state) rather than the page's markup alone. */
  useWaJs?: boolean;
  /** Post the messages of the open chat to wasync, where the workspace allows it. */
  capture?: boolean;
  /** The sidebar folded away by the toolbar button. */
  sidebarHidden?: boolean;
}

const KEYS = [
  'serverUrl',
  'token',
  'useWaJs',
  'capture',
  'sidebarHidden',
] as const satisfies (keyof Settings)[];

export async function readSettings(): Promise<Settings> {
  return (await chrome.storage.local.get([...KEYS])) as Settings;
}

/** Stores the given settings; `undefined` values are removed. */
export async function writeSettings(
  settings: { [K in keyof Settings]?: Settings[K] | undefined },
): Promise<void> {
  const set: Record<string, unknown> = {};
  const removed: string[] = [];
  for (const [key, value] of Object.entries(settings)) {
    if (value === undefined) removed.push(key);
    else set[key] = value;
  }
  if (Object.keys(set).length > 0) await chrome.storage.local.set(set);
  if (removed.length > 0) await chrome.storage.local.remove(removed);
}

/** Calls `listener` with the whole settings after each change. Returns the function that stops it. */
export function onSettingsChanged(listener: (settings: Settings) => void): () => void {
  const changed = (_changes: unknown, area: string) => {
    if (area === 'local') void readSettings().then(listener);
  };
  chrome.storage.onChanged.addListener(changed);
  return () => chrome.storage.onChanged.removeListener(changed);
}

/**
 * The server URL as wasync's API is reached at: an `http(s)` origin, with any path, query or trailing
 * slash taken off. Undefined when it is not a URL, or plain http to anything but this computer.
 */
export function normaliseServerUrl(input: string): string | undefined {
  let url: URL;
  try {
    url = new URL(input.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  // A token sent in the clear could be read on the way: plain http only to this computer.
  if (url.protocol === 'http:' && !local) return undefined;
  return url.origin;
}

/** The host permission that reaches a server: its origin and every path under it. */
export function originPattern(serverUrl: string): string {
  const url = new URL(serverUrl);
  // Match patterns take no port: the permission is for the host, which the port is part of in Chrome's check.
  return `${url.protocol}//${url.hostname}/*`;
}
