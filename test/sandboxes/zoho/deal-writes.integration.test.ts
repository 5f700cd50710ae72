import { afterEach, describe, expect, it } from 'vitest';
import { json, startZoho, type ZohoHarness } from './support.js';

let zoho: ZohoHarness;
afterEach(async () => zoho?.close());

describe('Zoho sandbox deal creates', () => {
  it("creates a deal on a contact, which the contact's Deals related list then answers with the contact's name", async () => {
    zoho = await startZoho();
    const [contact] = await zoho.seed('Contacts', [{ First_Name: 'Ana', Last_Name: 'Souza' }]);
    const created = await zoho.api('POST', '/Deals', {
      data: [
        {
          Deal_Name: 'Blue model',
          Stage: 'Qualification',
          Closing_Date: '2026-12-31',
          Amount: 3000,
          Contact_Name: { id: contact },
        },
      ],
    });
    expect(created.status).toBe(201);
    const [result] = (await json(created)).data;
    expect(result).toMatchObject({ code: 'SUCCESS', message: 'record added', status: 'success' });
    const related = await json(
      zoho.api('GET', `/Contacts/${contact}/Deals?fields=Deal_Name,Stage,Amount,Contact_Name`),
    );
    expect(related.data).toEqual([
      {
        id: result.details.id,
        Deal_Name: 'Blue model',
        Stage: 'Qualification',
        Amount: 3000,
        Contact_Name: { id: contact, name: 'Ana Souza' },
      },
    ]);
  });

  it('refuses per deal a missing mandatory field, a field it does not know and an unknown contact, 207 beside a good one', async () => {
    zoho = await startZoho();
    const good = { Deal_Name: 'Ok', Stage: 'Qualification', Closing_Date: '2026-12-31' };
    const answer = await zoho.api('POST', '/Deals', {
      data: [
        good,
        { Deal_Name: 'No stage', Closing_Date: '2026-12-31' },
        { ...good, Probability: 10 },
        { ...good, Contact_Name: { id: '4876819000009999999' } },
        { ...good, Closing_Date: '31/12/2026' },
      ],
    });
    expect(answer.status).toBe(207);
    const [ok, noStage, unknownField, unknownContact, badDate] = (await json(answer)).data;
    expect(ok.code).toBe('SUCCESS');
    expect(noStage).toEqual({
      code: 'MANDATORY_NOT_FOUND',
      details: { api_name: 'Stage', json_path: '$.data[1].Stage' },
      message: 'required field not found',
      status: 'error',
    });
    expect(unknownField).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Probability' } });
    expect(unknownContact).toMatchObject({
      code: 'INVALID_DATA',
      details: { api_name: 'Contact_Name', id: '4876819000009999999' },
    });
    expect(badDate).toMatchObject({ code: 'INVALID_DATA', details: { expected_data_type: 'date' } });
    const none = await zoho.api('POST', '/Deals', { data: [{ Deal_Name: 'Nothing else' }] });
    expect(none.status).toBe(400);
    const deals = (await json(fetch(`${zoho.url}/__sandbox/records?module=Deals`))).records;
    expect(deals.map((deal: { Deal_Name: string }) => deal.Deal_Name)).toEqual(['Ok']);
  });
});
