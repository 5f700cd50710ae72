/**
 * The live Bitrix24 suite against the sandbox standing in for a real portal, so that it keeps working
 * where CI can run it (CI reaches no real portal), and to show it leaves the portal as it found it: no
 * record, comment or Disk file of its own, also none an interrupted earlier run left. The connection
 * comes through the suite's own variables, as a contributor's would: the sandbox's demo webhook.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startTestBitrix24 } from '../support/bitrix24-portal.js';
import { LIVE_ORIGINATOR } from './bitrix24-live-cleanup.js';
import { liveBitrix24Config, BITRIX24_LIVE_VARIABLES as V } from './bitrix24-live-config.js';
import { describeLiveBitrix24 } from './bitrix24-live-suite.js';

// An Enterprise portal, told so through the suite's variable: its larger bucket keeps the run short.
const b24 = await startTestBitrix24({ plan: 'enterprise' });
afterAll(() => b24.close());

// A person's own records, which the run must leave alone, and what an interrupted run left behind.
const own = b24.portal.seedContact({ name: 'Own', lastName: 'Contact', phones: ['+5511955554444'] });
const left = b24.portal.seedContact({ name: 'Left', lastName: 'Behind', phones: ['+5511987654321'] });
Object.assign(left.fields, { ORIGINATOR_ID: LIVE_ORIGINATOR, ORIGIN_ID: `${LIVE_ORIGINATOR}-earlier` });
const commented = await fetch(`${b24.webhookUrl}crm.timeline.comment.add.json`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ fields: { ENTITY_ID: left.id, ENTITY_TYPE: 'contact', COMMENT: 'left behind' } }),
});
if (!commented.ok) throw new Error(`the sandbox did not take a comment: ${await commented.text()}`);
const disksBefore = b24.portal.inspectDiskFiles().length;

const config = liveBitrix24Config({ [V.webhookUrl]: b24.webhookUrl, [V.plan]: 'enterprise' });
if ('skipped' in config)
  throw new Error(`the live config skipped a complete set of variables: ${config.skipped}`);
describeLiveBitrix24(config.connection);

describe('after the live Bitrix24 suite', () => {
  it('the portal holds only the records it held before the run, no comment, and no Disk file of the run', () => {
    expect(b24.portal.all('contact').map((contact) => contact.id)).toEqual([own.id]);
    expect(b24.portal.all('lead')).toEqual([]);
    expect([...b24.portal.comments.values()]).toEqual([]);
    expect(b24.portal.inspectDiskFiles()).toHaveLength(disksBefore);
  });
});
