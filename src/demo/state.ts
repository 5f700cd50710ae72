/**
 * What the demo's data dir remembers of the CRMs its connections were made for (`demo.json`): a
 * connection is reused on the next run only while it points at the same org or portal, since what
 * wasync wrote into an earlier, in-memory sandbox (links, ledger, cursors) would be wrong in a new one.
 */
import fs from 'node:fs';
import path from 'node:path';

const STATE_FILE = 'demo.json';

export interface DemoState {
  connectionId?: string;
  orgId?: string;
  loginUrl?: string;
  zoho?: { connectionId: string; zgid: string; accountsUrl: string };
  bitrix24?: { connectionId: string; memberId: string; url: string };
  /** How many live messages the simulated account has posted: the next run goes on from there. */
  liveStep?: number;
}

export function readDemoState(dataDir: string): DemoState | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(dataDir, STATE_FILE), 'utf8')) as DemoState;
  } catch {
    return undefined;
  }
}

/** Writes `change` over what the file holds, keeping the other connections' entries. */
export function updateDemoState(dataDir: string, change: DemoState): void {
  const next = { ...readDemoState(dataDir), ...change };
  fs.writeFileSync(path.join(dataDir, STATE_FILE), `${JSON.stringify(next, null, 2)}\n`);
}
