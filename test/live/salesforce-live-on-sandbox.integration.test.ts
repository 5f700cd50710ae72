/**
 * The live suite against the sandbox standing in for a real org, so that it keeps working where CI
 * can run it (CI reaches no real org), and to show it leaves the org as it found it, plus what setup
 * makes. A bare org that rotates refresh tokens: the flow with the most to get right.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { SalesforceConnectionInput } from '../../src/crms/salesforce/connection.js';
import { DEMO_CLIENT } from '../../src/sandboxes/salesforce/index.js';
import { startTestOrg } from '../support/salesforce-org.js';
import { describeLiveSalesforce } from './live-suite.js';

const org = await startTestOrg({ customObjectDeployed: false, rotateRefreshTokens: true });
afterAll(() => org.close());
const minted = await fetch(`${org.url}/__sandbox/refresh-tokens`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: '{}',
});
const { refresh_token: refreshToken } = (await minted.json()) as { refresh_token: string };

describeLiveSalesforce(
  SalesforceConnectionInput.parse({
    kind: 'salesforce',
    name: 'sandbox standing in for a real org',
    loginUrl: org.url,
    auth: {
      flow: 'refresh_token',
      clientId: DEMO_CLIENT.clientId,
      clientSecret: DEMO_CLIENT.clientSecret,
      refreshToken,
    },
  }),
);

describe('after the live suite', () => {
  it('the org holds none of the records it made nor what wasync wrote for them, and keeps what setup made', async () => {
    for (const type of ['Contact', 'Lead', 'WhatsApp_Chat__c', 'ContentDocument', 'ContentVersion']) {
      expect(await org.records(type), type).toEqual([]);
    }
    expect(await org.records('ContentDocumentLink')).toEqual([]);
    expect((await org.records('PermissionSet')).map((row) => row.Name)).toContain('WhatsApp_Backup');
    expect(await org.records('PermissionSetAssignment')).toHaveLength(1);
  });
});
