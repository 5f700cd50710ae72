import { afterEach, describe, expect, it } from 'vitest';
import type { DuplicateRuleAction } from '../../../src/sandboxes/salesforce/duplicate-rules.js';
import { DATA, type SandboxHarness, startSandbox } from './support.js';

const ANA = { FirstName: 'Ana', LastName: 'Souza', MobilePhone: '+55 11 98765-4321' };
const ALLOW = {
  'sforce-duplicate-rule-header': 'allowSave=true; includeRecordDetails=false; runAsCurrentUser=true',
};

describe('Salesforce sandbox: standard duplicate rules', () => {
  let h: SandboxHarness;
  const start = async (duplicateRules?: DuplicateRuleAction) => {
    h = await startSandbox(duplicateRules ? { duplicateRules } : {});
    const [existing] = await h.seed('Contact', [
      { FirstName: 'ana', LastName: 'SOUZA', Phone: '(11) 98765-4321' },
    ]);
    return existing;
  };
  const create = (headers: Record<string, string> = {}) =>
    h.sandbox.app.inject({
      method: 'POST',
      url: `${DATA}/sobjects/Contact`,
      headers: { ...h.auth, ...headers },
      payload: ANA,
    });
  afterEach(() => h.close());

  it('refuses a contact with the same name and number with DUPLICATES_DETECTED and the match', async () => {
    const existing = await start();
    const refused = await create();
    expect(refused.statusCode).toBe(400);
    const [error] = refused.json();
    expect(error).toMatchObject({
      errorCode: 'DUPLICATES_DETECTED',
      duplicateResult: {
        allowSave: true,
        duplicateRule: 'Standard_Contact_Duplicate_Rule',
        matchResults: [{ entityType: 'Contact', matchRecords: [{ record: { Id: existing } }], size: 1 }],
      },
    });
  });

  it('lets an alerting rule through with allowSave=true, in collections too', async () => {
    await start();
    expect((await create(ALLOW)).statusCode).toBe(201);
    const collection = await h.sandbox.app.inject({
      method: 'POST',
      url: `${DATA}/composite/sobjects`,
      headers: h.auth,
      payload: { allOrNone: false, records: [{ attributes: { type: 'Contact' }, ...ANA }] },
    });
    expect(collection.json()[0]).toMatchObject({
      success: false,
      errors: [{ statusCode: 'DUPLICATES_DETECTED' }],
    });
  });

  it('keeps refusing under a blocking rule whatever the header says, and lets other people in', async () => {
    await start('block');
    const refused = await create(ALLOW);
    expect(refused.json()[0]).toMatchObject({
      errorCode: 'DUPLICATES_DETECTED',
      duplicateResult: { allowSave: false },
    });
    const other = await h.api('POST', `${DATA}/sobjects/Contact`, { ...ANA, FirstName: 'Bia' });
    expect(other.statusCode).toBe(201);
  });
});
