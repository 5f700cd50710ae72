import { createHash, createHmac, randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { listenOn } from '../listen.js';
import { registerSmbAppData } from './smb-app-data.js';

/**
 * A local stand-in for the WhatsApp Cloud API, for tests and demos: the Graph API's two-hop media
 * download (bearer required, URLs that expire) and a control route that turns a simulated inbound
 * message into a signed webhook delivered to the configured URL, retried on failure as Meta does.
 * State is in memory and belongs to this instance.
 */
export interface WhatsAppCloudSandboxOptions {
  /** The bearer token the Graph API routes accept. */
  accessToken?: string;
  /** How long a media URL from the lookup stays valid (Meta: 5 minutes). */
  mediaUrlTtlMs?: number;
  /** Delays before each redelivery of a webhook that failed; Meta retries for hours. */
  retryDelaysMs?: readonly number[];
  /** Phone numbers known from the start. */
  numbers?: readonly SandboxNumber[];
}

export interface SandboxNumber {
  phoneNumberId: string;
  displayPhoneNumber: string;
  /** Where webhooks for this number go, and the app secret that signs them. */
  webhookUrl: string;
  appSecret: string;
}

export interface SandboxDelivery {
  id: string;
  phoneNumberId: string;
  url: string;
  body: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatus: number | undefined;
  lastError: string | undefined;
}

interface StoredMedia {
  id: string;
  bytes: Buffer;
  mimeType: string;
}

export const SANDBOX_ACCESS_TOKEN = 'sandbox-access-token';
const DEFAULT_RETRIES = [1_000, 5_000, 30_000, 120_000, 600_000];

export interface WhatsAppCloudSandbox {
  readonly app: FastifyInstance;
  readonly deliveries: readonly SandboxDelivery[];
  listen(port?: number, host?: string): Promise<string>;
  close(): Promise<void>;
}

export async function buildWhatsAppCloudSandbox(
  options: WhatsAppCloudSandboxOptions = {},
): Promise<WhatsAppCloudSandbox> {
  const accessToken = options.accessToken ?? SANDBOX_ACCESS_TOKEN;
  const ttl = options.mediaUrlTtlMs ?? 5 * 60_000;
  const retryDelays = options.retryDelaysMs ?? DEFAULT_RETRIES;
  const numbers = new Map((options.numbers ?? []).map((n) => [n.phoneNumberId, n]));
  const media = new Map<string, StoredMedia>();
  const deliveries: SandboxDelivery[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  /** Media downloads still to fail with a 500 (set through POST /__sandbox/faults). */
  let mediaFailures = 0;

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
  const origin = (request: FastifyRequest) => `${request.protocol}://${request.host}`;
  const bearerOk = (request: FastifyRequest) => request.headers.authorization === `Bearer ${accessToken}`;
  const graphError = (message: string, code: number) => ({
    error: { message, type: 'OAuthException', code, fbtrace_id: randomBytes(6).toString('hex') },
  });

  const attempt = async (delivery: SandboxDelivery, number: SandboxNumber) => {
    if (closed) return;
    delivery.attempts++;
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': `sha256=${createHmac('sha256', number.appSecret).update(delivery.body).digest('hex')}`,
        },
        body: delivery.body,
        signal: AbortSignal.timeout(20_000),
      });
      delivery.lastStatus = response.status;
      await response.arrayBuffer();
      if (response.status === 200) {
        delivery.state = 'delivered';
        delivery.lastError = undefined;
        return;
      }
      delivery.lastError = `HTTP ${response.status}`;
    } catch (error) {
      delivery.lastError = error instanceof Error ? error.message : String(error);
    }
    const delay = retryDelays[delivery.attempts - 1];
    if (delay === undefined || closed) {
      delivery.state = 'failed';
      return;
    }
    const timer = setTimeout(() => {
      timers.delete(timer);
      void attempt(delivery, number);
    }, delay);
    timers.add(timer);
  };

  const deliver = (number: SandboxNumber, body: unknown): SandboxDelivery => {
    const delivery: SandboxDelivery = {
      id: `dlv_${randomBytes(6).toString('hex')}`,
      phoneNumberId: number.phoneNumberId,
      url: number.webhookUrl,
      body: JSON.stringify(body),
      state: 'pending',
      attempts: 0,
      lastStatus: undefined,
      lastError: undefined,
    };
    deliveries.push(delivery);
    void attempt(delivery, number);
    return delivery;
  };

  // ── Graph API: media lookup, then the bytes ────────────────────────────────────────────────────
  app.get<{ Params: { version: string; mediaId: string } }>('/:version/:mediaId', async (request, reply) => {
    if (!/^v\d+\.\d+$/.test(request.params.version))
      return reply.status(404).send(graphError('Unknown path', 803));
    if (!bearerOk(request)) return reply.status(401).send(graphError('Invalid OAuth access token', 190));
    const found = media.get(request.params.mediaId);
    if (!found) return reply.status(404).send(graphError('Unsupported get request', 100));
    const expires = Date.now() + ttl;
    const sig = createHmac('sha256', accessToken).update(`${found.id}:${expires}`).digest('hex');
    return {
      messaging_product: 'whatsapp',
      url: `${origin(request)}/__media/${found.id}?expires=${expires}&sig=${sig}`,
      mime_type: found.mimeType,
      sha256: createHash('sha256').update(found.bytes).digest('base64'),
      file_size: String(found.bytes.length),
      id: found.id,
    };
  });

  app.get<{ Params: { mediaId: string }; Querystring: { expires?: string; sig?: string } }>(
    '/__media/:mediaId',
    async (request, reply) => {
      if (!bearerOk(request)) return reply.status(401).send(graphError('Invalid OAuth access token', 190));
      const found = media.get(request.params.mediaId);
      const expires = Number(request.query.expires);
      const sig = createHmac('sha256', accessToken)
        .update(`${request.params.mediaId}:${expires}`)
        .digest('hex');
      if (!found || request.query.sig !== sig || !(expires > Date.now()))
        return reply.status(404).send(graphError('The media URL expired or is unknown', 100));
      if (mediaFailures > 0) {
        mediaFailures--;
        return reply.status(500).send(graphError('An unexpected error has occurred', 2));
      }
      return reply.type(found.mimeType).send(found.bytes);
    },
  );

  // ── Control routes (tests and demos only) ──────────────────────────────────────────────────────
  app.post<{ Body: SandboxNumber }>('/__sandbox/numbers', async (request, reply) => {
    const { phoneNumberId, displayPhoneNumber, webhookUrl, appSecret } =
      request.body ?? ({} as SandboxNumber);
    if (!phoneNumberId || !displayPhoneNumber || !webhookUrl || !appSecret)
      return reply
        .status(400)
        .send({ error: 'phoneNumberId, displayPhoneNumber, webhookUrl and appSecret are required' });
    numbers.set(phoneNumberId, { phoneNumberId, displayPhoneNumber, webhookUrl, appSecret });
    return reply.status(201).send({ phoneNumberId });
  });

  app.post<{
    Body: {
      phoneNumberId: string;
      from: string;
      name?: string;
      text?: string;
      media?: { base64: string; mimeType: string; type?: string; caption?: string; fileName?: string };
      id?: string;
      timestamp?: number;
    };
  }>('/__sandbox/messages', async (request, reply) => {
    const input = request.body;
    const number = input ? numbers.get(input.phoneNumberId) : undefined;
    if (!input || !number)
      return reply.status(404).send({ error: 'unknown phoneNumberId; POST /__sandbox/numbers first' });
    if (!/^\d{6,15}$/.test(input.from ?? ''))
      return reply.status(400).send({ error: 'from must be a wa_id (digits)' });
    if (input.text === undefined && !input.media)
      return reply.status(400).send({ error: 'give text or media' });
    const id = input.id ?? `wamid.${randomBytes(12).toString('base64url')}`;
    const message: Record<string, unknown> = {
      from: input.from,
      id,
      timestamp: String(input.timestamp ?? Math.floor(Date.now() / 1000)),
    };
    let mediaId: string | undefined;
    if (input.media) {
      const bytes = Buffer.from(input.media.base64, 'base64');
      mediaId = String(1_000_000_000_000 + media.size + Math.floor(Math.random() * 1_000_000));
      media.set(mediaId, { id: mediaId, bytes, mimeType: input.media.mimeType });
      const type = input.media.type ?? typeFor(input.media.mimeType);
      message.type = type;
      message[type] = {
        id: mediaId,
        mime_type: input.media.mimeType,
        sha256: createHash('sha256').update(bytes).digest('base64'),
        ...(input.media.caption ? { caption: input.media.caption } : {}),
        ...(input.media.fileName && type === 'document' ? { filename: input.media.fileName } : {}),
        ...(type === 'audio' ? { voice: input.media.mimeType.includes('opus') } : {}),
      };
    } else {
      message.type = 'text';
      message.text = { body: input.text };
    }
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: 'sandbox-waba',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: {
                  display_phone_number: number.displayPhoneNumber,
                  phone_number_id: number.phoneNumberId,
                },
                contacts: [{ profile: { name: input.name ?? 'Sandbox User' }, wa_id: input.from }],
                messages: [message],
              },
            },
          ],
        },
      ],
    };
    const delivery = deliver(number, body);
    return reply.status(202).send({ messageId: id, mediaId, deliveryId: delivery.id });
  });

  app.post<{ Body: { mediaFailures?: number } }>('/__sandbox/faults', async (request) => {
    mediaFailures = Math.max(0, Number(request.body?.mediaFailures ?? 0));
    return { mediaFailures };
  });

  app.get('/__sandbox/deliveries', async () => ({ data: deliveries }));
  app.get('/__sandbox', async () => ({
    numbers: [...numbers.values()].map(({ appSecret, ...rest }) => rest),
    media: media.size,
    deliveries: deliveries.length,
  }));

  registerSmbAppData(app, { accessToken, isKnownNumber: (id) => numbers.has(id) });

  app.addHook('preClose', async () => {
    closed = true;
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  });

  return {
    app,
    deliveries,
    listen: (port = 0, host = '127.0.0.1') => listenOn(app, port, host),
    close: () => app.close(),
  };
}

function typeFor(mimeType: string): string {
  if (mimeType === 'image/webp') return 'sticker';
  const top = mimeType.split('/')[0];
  if (top === 'image' || top === 'video' || top === 'audio') return top;
  return 'document';
}
