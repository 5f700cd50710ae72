import { createHash, createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildWhatsAppCloudSandbox,
  LOOKASIDE_PATH,
  SANDBOX_ACCESS_TOKEN,
  type WhatsAppCloudSandbox,
} from '../../src/sandboxes/whatsapp-cloud/index.js';
import { metaJson, metaSignature } from '../../src/sandboxes/whatsapp-cloud/meta-json.js';
import {
  echoBody,
  errorsBody,
  HISTORY_DECLINED,
  historyBody,
  SANDBOX_WABA_ID,
  standbyBody,
  statusBody,
  systemBody,
} from '../../src/sandboxes/whatsapp-cloud/webhooks.js';

const NUMBER = { phoneNumberId: '106540352242922', displayPhoneNumber: '15550783881' };
const APP_SECRET = 'sandbox-app-secret';
const AT = Date.UTC(2026, 0, 2, 3, 4, 5);
const METADATA = { display_phone_number: '15550783881', phone_number_id: '106540352242922' };

/** The one change of a body: its field and value. */
const change = (body: Record<string, unknown>) => {
  const entry = (
    body.entry as { id: string; changes: { field: string; value: Record<string, unknown> }[] }[]
  )[0];
  expect(body.object).toBe('whatsapp_business_account');
  expect(entry?.id).toBe(SANDBOX_WABA_ID);
  expect(entry?.changes).toHaveLength(1);
  const first = entry?.changes[0];
  expect(first?.value).toMatchObject({ messaging_product: 'whatsapp', metadata: METADATA });
  return first as { field: string; value: Record<string, unknown> };
};

describe('Meta JSON', () => {
  it('escapes non-ASCII as \\uXXXX per UTF-16 unit and / as \\/, and parses back to the same value', () => {
    const value = { text: 'Käse / é 👋', plain: 'a"b\\c' };
    const raw = metaJson(value);
    expect(raw).toBe('{"text":"K\\u00e4se \\/ \\u00e9 \\ud83d\\udc4b","plain":"a\\"b\\\\c"}');
    expect(/^[\x20-\x7e]*$/.test(raw)).toBe(true);
    expect(JSON.parse(raw)).toEqual(value);
    expect(raw).not.toBe(JSON.stringify(value));
  });

  it('signs the exact bytes with HMAC-SHA256 of the app secret, as sha256=<hex>', () => {
    const raw = metaJson({ text: 'é' });
    expect(metaSignature(raw, APP_SECRET)).toBe(
      `sha256=${createHmac('sha256', APP_SECRET).update(Buffer.from(raw)).digest('hex')}`,
    );
    expect(metaSignature(raw, APP_SECRET)).not.toBe(metaSignature(JSON.stringify({ text: 'é' }), APP_SECRET));
  });
});

describe('webhook bodies', () => {
  it('status: sent without errors, failed with Meta-shaped errors', () => {
    const sent = change(
      statusBody(NUMBER, { messageId: 'wamid.A', status: 'sent', recipientId: '16505551234', at: AT }),
    );
    expect(sent.field).toBe('messages');
    expect(sent.value.statuses).toEqual([
      { id: 'wamid.A', status: 'sent', timestamp: String(AT / 1000), recipient_id: '16505551234' },
    ]);
    const failed = change(
      statusBody(NUMBER, { messageId: 'wamid.A', status: 'failed', recipientId: '16505551234', at: AT }),
    );
    expect(failed.value.statuses).toEqual([
      {
        id: 'wamid.A',
        status: 'failed',
        timestamp: String(AT / 1000),
        recipient_id: '16505551234',
        errors: [
          {
            code: 130472,
            title: "User's number is part of an experiment",
            message: "User's number is part of an experiment",
            error_data: {
              details: "Failed to send message because this user's phone number is part of an experiment",
            },
            href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
          },
        ],
      },
    ]);
    const given = change(
      statusBody(NUMBER, {
        messageId: 'wamid.A',
        status: 'failed',
        recipientId: '1',
        errors: [{ code: 131026, title: 'Message undeliverable' }],
      }),
    );
    expect((given.value.statuses as { errors: unknown[] }[])[0]?.errors).toEqual([
      expect.objectContaining({
        code: 131026,
        title: 'Message undeliverable',
        message: 'Message undeliverable',
      }),
    ]);
  });

  it('echo: smb_message_echoes with from the business number, to the user, and the typed content', () => {
    const echo = change(echoBody(NUMBER, { to: '16505551234', id: 'wamid.E', at: AT, text: 'from the app' }));
    expect(echo.field).toBe('smb_message_echoes');
    expect(echo.value.message_echoes).toEqual([
      {
        from: '15550783881',
        to: '16505551234',
        id: 'wamid.E',
        timestamp: String(AT / 1000),
        type: 'text',
        text: { body: 'from the app' },
      },
    ]);
    expect(echo.value.contacts).toBeUndefined();
    const image = change(
      echoBody(NUMBER, {
        to: '1',
        id: 'wamid.I',
        type: 'image',
        content: { id: '42', mime_type: 'image/jpeg' },
      }),
    );
    expect((image.value.message_echoes as Record<string, unknown>[])[0]).toMatchObject({
      type: 'image',
      image: { id: '42', mime_type: 'image/jpeg' },
    });
  });

  it('history: a chunk with phase, chunk_order and progress, or the declined error', () => {
    const messages = [
      { from: '16505551234', id: 'wamid.H', timestamp: '1739230955', type: 'text', text: { body: 'old' } },
    ];
    const chunk = change(
      historyBody(NUMBER, {
        phase: 1,
        chunkOrder: 3,
        progress: 55,
        threads: [{ id: '16505551234', messages }],
      }),
    );
    expect(chunk.field).toBe('history');
    expect(chunk.value.history).toEqual([
      { metadata: { phase: 1, chunk_order: 3, progress: 55 }, threads: [{ id: '16505551234', messages }] },
    ]);
    const declined = change(
      historyBody(NUMBER, { phase: 0, chunkOrder: 1, progress: 0, errors: [HISTORY_DECLINED] }),
    );
    expect(declined.value.history).toEqual([
      { errors: [expect.objectContaining({ code: 2593109, title: HISTORY_DECLINED.title })] },
    ]);
  });

  it('system: user_changed_number with the new wa_id and no contacts; user_changed_user_id with both ids', () => {
    const number = change(
      systemBody(NUMBER, {
        type: 'user_changed_number',
        from: '16505551234',
        newWaId: '16505559999',
        id: 'wamid.S',
        at: AT,
      }),
    );
    expect(number.field).toBe('messages');
    expect(number.value.contacts).toBeUndefined();
    expect(number.value.messages).toEqual([
      {
        from: '16505551234',
        id: 'wamid.S',
        timestamp: String(AT / 1000),
        type: 'system',
        system: {
          body: 'User A changed from 16505551234 to 16505559999',
          wa_id: '16505559999',
          type: 'user_changed_number',
        },
      },
    ]);
    const userId = change(
      systemBody(NUMBER, {
        type: 'user_changed_user_id',
        from: '16505551234',
        userId: 'US.2',
        previousUserId: 'US.1',
        id: 'wamid.U',
      }),
    );
    expect((userId.value.messages as Record<string, unknown>[])[0]).toMatchObject({
      type: 'system',
      system: { type: 'user_changed_user_id', user_id: 'US.2', previous_user_id: 'US.1' },
    });
  });

  it('errors: value-level errors and nothing else on the messages field', () => {
    const errors = change(
      errorsBody(NUMBER, [
        { code: 131000, title: 'Something went wrong', details: 'Unsupported webhook payload' },
      ]),
    );
    expect(errors.field).toBe('messages');
    expect(Object.keys(errors.value).sort()).toEqual(['errors', 'messaging_product', 'metadata']);
    expect(errors.value.errors).toEqual([
      {
        code: 131000,
        title: 'Something went wrong',
        message: 'Something went wrong',
        error_data: { details: 'Unsupported webhook payload' },
        href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
      },
    ]);
  });

  it('standby: the field standby with the usual messages, echoes and statuses', () => {
    const messages = [
      { from: '16505551234', id: 'wamid.M', timestamp: '1', type: 'text', text: { body: 'hi agent' } },
    ];
    const echoes = [
      {
        from: '15550783881',
        to: '16505551234',
        id: 'wamid.R',
        timestamp: '2',
        type: 'text',
        text: { body: 'hi' },
      },
    ];
    const standby = change(standbyBody(NUMBER, { messages, message_echoes: echoes }));
    expect(standby.field).toBe('standby');
    expect(standby.value).toEqual({
      messaging_product: 'whatsapp',
      metadata: METADATA,
      messages,
      message_echoes: echoes,
    });
  });
});

describe('WhatsApp Cloud sandbox on its own', () => {
  let sandbox: WhatsAppCloudSandbox;
  let url: string;
  let receiver: http.Server;
  let received: { body: Buffer; signature: string | undefined }[];

  beforeEach(async () => {
    received = [];
    receiver = http.createServer(async (request, response) => {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      received.push({
        body: Buffer.concat(chunks),
        signature: request.headers['x-hub-signature-256'] as string | undefined,
      });
      response.writeHead(200).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    sandbox = await buildWhatsAppCloudSandbox({ retryDelaysMs: [], mediaUrlTtlMs: 1_000 });
    url = await sandbox.listen();
    await sandbox.app.inject({
      method: 'POST',
      url: '/__sandbox/numbers',
      payload: {
        ...NUMBER,
        webhookUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
        appSecret: APP_SECRET,
      },
    });
  });
  afterEach(async () => {
    await sandbox.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  const waitForDelivery = async (count: number) => {
    const deadline = Date.now() + 5_000;
    while (received.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(received).toHaveLength(count);
    return received[count - 1] as { body: Buffer; signature: string | undefined };
  };

  it('sends an inbound message in escaped bytes and signs those bytes', async () => {
    await sandbox.app.inject({
      method: 'POST',
      url: '/__sandbox/messages',
      payload: { phoneNumberId: NUMBER.phoneNumberId, from: '16505551234', text: 'Käse / 👋' },
    });
    const { body, signature } = await waitForDelivery(1);
    const raw = body.toString('utf8');
    expect(raw).toContain('K\\u00e4se \\/ \\ud83d\\udc4b');
    expect(signature).toBe(`sha256=${createHmac('sha256', APP_SECRET).update(body).digest('hex')}`);
    expect(JSON.parse(raw).entry[0].changes[0].value.messages[0].text.body).toBe('Käse / 👋');
  });

  it.each([
    ['statuses', { messageId: 'wamid.A', recipientId: '16505551234', status: 'read' }, 'messages'],
    ['echoes', { to: '16505551234', text: 'from the app' }, 'smb_message_echoes'],
    ['history', { phase: 0, chunkOrder: 1, progress: 100, threads: [] }, 'history'],
    ['system', { type: 'user_changed_number', from: '16505551234', newWaId: '16505559999' }, 'messages'],
    ['errors', { errors: [{ code: 131000, title: 'Something went wrong' }] }, 'messages'],
    [
      'standby',
      { messages: [{ from: '1', id: 'wamid.M', timestamp: '1', type: 'text', text: { body: 'x' } }] },
      'standby',
    ],
  ])('POST /__sandbox/webhooks/%s builds, signs and delivers that kind', async (kind, input, field) => {
    const response = await sandbox.app.inject({
      method: 'POST',
      url: `/__sandbox/webhooks/${kind}`,
      payload: { phoneNumberId: NUMBER.phoneNumberId, ...input },
    });
    expect(response.statusCode, response.body).toBe(202);
    const { body, signature } = await waitForDelivery(1);
    expect(signature).toBe(metaSignature(body.toString('utf8'), APP_SECRET));
    expect(JSON.parse(body.toString('utf8'))).toEqual(response.json().body);
    expect(JSON.parse(body.toString('utf8')).entry[0].changes[0].field).toBe(field);
  });

  it('refuses a control call with an unknown kind, an unknown number or missing input', async () => {
    const post = (kind: string, payload: Record<string, unknown>) =>
      sandbox.app.inject({ method: 'POST', url: `/__sandbox/webhooks/${kind}`, payload });
    expect((await post('nothing', { phoneNumberId: NUMBER.phoneNumberId })).statusCode).toBe(404);
    expect(
      (await post('statuses', { phoneNumberId: '999', messageId: 'w', recipientId: '1', status: 'read' }))
        .statusCode,
    ).toBe(404);
    expect((await post('statuses', { phoneNumberId: NUMBER.phoneNumberId, status: 'lost' })).statusCode).toBe(
      400,
    );
    expect((await post('system', { phoneNumberId: NUMBER.phoneNumberId, type: 'other' })).statusCode).toBe(
      400,
    );
    expect(() => sandbox.emit('999', {})).toThrow(/unknown phoneNumberId/);
  });

  it('answers the media lookup with a hex sha256 and a lookaside URL that needs the bearer and expires', async () => {
    const bytes = Buffer.from('a photo');
    const sent = await sandbox.app.inject({
      method: 'POST',
      url: '/__sandbox/messages',
      payload: {
        phoneNumberId: NUMBER.phoneNumberId,
        from: '16505551234',
        media: { base64: bytes.toString('base64'), mimeType: 'image/jpeg' },
      },
    });
    const { mediaId } = sent.json() as { mediaId: string };
    const { body } = await waitForDelivery(1);
    // The webhook carries the sha256 in base64; the Graph answer in hex.
    const image = JSON.parse(body.toString('utf8')).entry[0].changes[0].value.messages[0].image;
    expect(image.sha256).toBe(createHash('sha256').update(bytes).digest('base64'));
    const auth = { authorization: `Bearer ${SANDBOX_ACCESS_TOKEN}` };
    const lookup = await fetch(`${url}/v23.0/${mediaId}?phone_number_id=${NUMBER.phoneNumberId}`, {
      headers: auth,
    });
    expect(lookup.status).toBe(200);
    const info = (await lookup.json()) as Record<string, string>;
    expect(Object.keys(info).sort()).toEqual([
      'file_size',
      'id',
      'messaging_product',
      'mime_type',
      'sha256',
      'url',
    ]);
    expect(info).toMatchObject({
      messaging_product: 'whatsapp',
      mime_type: 'image/jpeg',
      sha256: createHash('sha256').update(bytes).digest('hex'),
      file_size: String(bytes.length),
      id: mediaId,
    });
    const lookaside = new URL(info.url ?? '');
    expect(lookaside.pathname).toBe(LOOKASIDE_PATH);
    expect(lookaside.searchParams.get('mid')).toBe(mediaId);
    expect((await fetch(lookaside)).status).toBe(401);
    const download = await fetch(lookaside, { headers: auth });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect((await fetch(lookaside, { headers: auth })).status).toBe(404);
  });

  it("refuses a lookup for an unknown number, another number's media or an unknown id with Meta's 100/33", async () => {
    await sandbox.app.inject({
      method: 'POST',
      url: '/__sandbox/numbers',
      payload: {
        phoneNumberId: '200',
        displayPhoneNumber: '15550000000',
        webhookUrl: 'http://127.0.0.1:9/x',
        appSecret: APP_SECRET,
      },
    });
    const sent = await sandbox.app.inject({
      method: 'POST',
      url: '/__sandbox/messages',
      payload: {
        phoneNumberId: NUMBER.phoneNumberId,
        from: '16505551234',
        media: { base64: Buffer.from('x').toString('base64'), mimeType: 'image/jpeg' },
      },
    });
    const { mediaId } = sent.json() as { mediaId: string };
    const auth = { authorization: `Bearer ${SANDBOX_ACCESS_TOKEN}` };
    for (const path of [
      `${mediaId}?phone_number_id=1234567`,
      `${mediaId}?phone_number_id=200`,
      '987654321',
    ]) {
      const response = await fetch(`${url}/v23.0/${path}`, { headers: auth });
      expect(response.status, path).toBe(400);
      const { error } = (await response.json()) as { error: Record<string, unknown> };
      expect(error).toMatchObject({ type: 'GraphMethodException', code: 100, error_subcode: 33 });
      expect(error.message).toMatch(/^Unsupported get request\. Object with ID '\d+' does not exist/);
    }
    expect((await fetch(`${url}/v23.0/${mediaId}`, { headers: auth })).status).toBe(200);
  });
});
