import { describe, expect, it } from 'vitest';
import { DEMO_APPLICATION, DEMO_WEBHOOK } from '../../../src/sandboxes/bitrix24/index.js';
import { withCliSandbox } from '../../support/cli-sandbox.js';
import { postJson } from './support.js';

describe('wasync sandbox bitrix24', () => {
  it('prints its webhook; a contact added through it is found by its phone; exits 0 on SIGTERM', async () => {
    const code = await withCliSandbox('bitrix24', [], 'inspect:', async (url, stdout) => {
      const webhook = /webhook:\s+(\S+)/.exec(stdout)?.[1] ?? '';
      expect(webhook).toBe(`${url}/rest/${DEMO_WEBHOOK.userId}/${DEMO_WEBHOOK.secret}/`);
      expect(stdout).toContain(DEMO_APPLICATION.clientId);
      expect(stdout).toContain(`WASYNC_OUTBOUND_ALLOW=${new URL(url).host}`);

      const added = await postJson(`${webhook}crm.contact.add.json`, {
        fields: {
          NAME: 'Ana',
          LAST_NAME: 'Souza',
          PHONE: [{ VALUE: '+55 11 98765-4321', VALUE_TYPE: 'MOBILE' }],
        },
      });
      expect(added.status).toBe(200);
      const id = added.body.result;
      expect(typeof id).toBe('number');
      expect(added.body.time).toMatchObject({ start: expect.any(Number), operating: expect.any(Number) });

      const found = await postJson(`${webhook}crm.duplicate.findbycomm`, {
        type: 'PHONE',
        values: ['+5511987654321'],
        entity_type: 'CONTACT',
      });
      expect(found).toMatchObject({ status: 200, body: { result: { CONTACT: [id] } } });
      const none = await postJson(`${webhook}crm.duplicate.findbycomm`, { type: 'PHONE', values: ['+1555'] });
      expect(none.body.result).toEqual([]);

      const me = await postJson(`${webhook}user.current`);
      expect(me.body.result).toMatchObject({ ID: String(DEMO_WEBHOOK.userId) });
    });
    expect(code).toBe(0);
  });
});
