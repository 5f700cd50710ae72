/**
 * The live Zoho suite against the sandbox standing in for a real org, so that it keeps working where
 * CI can run it (CI reaches no real org), and to show it leaves the org as it found it: no record,
 * note or attachment of its own. The connection comes through the suite's own variables, as a
 * contributor's would, with the sandbox as the accounts server and its Self Client's refresh token.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { buildZohoSandbox, DEMO_CLIENT } from '../../src/sandboxes/zoho/index.js';
import { liveZohoConfig, ZOHO_LIVE_VARIABLES as V } from './zoho-live-config.js';
import { describeLiveZoho } from './zoho-live-suite.js';

const sandbox = await buildZohoSandbox();
const url = await sandbox.listen(0);
afterAll(() => sandbox.close());

/** `/__sandbox/{what}`: the sandbox's own view of the org, which the suite never reads. */
async function inspect<T>(what: string): Promise<T> {
  const answer = await fetch(`${url}/__sandbox/${what}`);
  if (!answer.ok) throw new Error(`/__sandbox/${what} answered ${answer.status}: ${await answer.text()}`);
  return (await answer.json()) as T;
}

// A Self Client's refresh token for the scopes the README asks of a real one.
const minted = await fetch(`${url}/__sandbox/self-client`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    scope:
      'ZohoCRM.modules.ALL,ZohoCRM.coql.READ,ZohoCRM.settings.fields.READ,ZohoCRM.org.READ,ZohoCRM.users.READ,ZohoSearch.securesearch.READ',
  }),
});
const { refresh_token: refreshToken } = (await minted.json()) as { refresh_token: string };

const config = liveZohoConfig({
  [V.dataCentre]: 'us',
  [V.accountsUrl]: url,
  [V.clientId]: DEMO_CLIENT.clientId,
  [V.clientSecret]: DEMO_CLIENT.clientSecret,
  [V.refreshToken]: refreshToken,
});
if ('skipped' in config)
  throw new Error(`the live config skipped a complete set of variables: ${config.skipped}`);
describeLiveZoho(config.connection);

type Row = { id: string; module?: string; converted?: unknown };

describe('after the live Zoho suite', () => {
  it('the org holds none of the records it made, nor a note or attachment, save the leads it converted', async () => {
    const { records } = await inspect<{ records: Row[] }>('records');
    // Zoho's API shows a converted lead no more, so it cannot be deleted through it (the sandbox's
    // record-deletes.ts); the live run warns of it, and nothing else may stay.
    expect(records.filter((record) => !(record.module === 'Leads' && record.converted))).toEqual([]);
    expect(records.filter((record) => record.module === 'Leads')).toHaveLength(1);
    expect((await inspect<{ notes: Row[] }>('notes')).notes).toEqual([]);
    expect((await inspect<{ attachments: Row[] }>('attachments')).attachments).toEqual([]);
  });
});
