import { createHash, createHmac, randomBytes } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { listenOn } from '../listen.js';
import { registerWebhookControls } from './controls.js';
import { metaJson, metaSignature } from './meta-json.js';
import { registerSmbAppData } from './smb-app-data.js';
import { type Json, webhookBody } from './webhooks.js';

/**
 * A local stand-in for the WhatsApp Cloud API, for tests and demos: the Graph API's two-hop media
 * download (bearer required, URLs on a lookaside path that expire) and control routes that turn a
 * simulated inbound message, status, echo, history chunk, system change, error or standby activity
 * into a webhook signed over Meta's escaped bytes, delivered to the configured URL and retried on
 * failure as Meta does. State is in memory and belongs to this instance.
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
  /** The number that received it: a lookup naming another `phone_number_id` is refused. */
  phoneNumberId: string;
  bytes: Buffer;
  mimeType: string;
}

/** One request of the media download, as the sandbox saw it (for tests: which headers came). */
export interface SandboxMediaRequest {
  hop: 'graph' | 'lookaside';
  mediaId: string;
  userAgent: string | undefined;
  status: number;
}

/** Where the lookaside host (`lookaside.fbsbx.com` at Meta) is served: a path of the sandbox's origin. */
export const LOOKASIDE_PATH = '/lookaside/whatsapp_business/attachments/';

export const SANDBOX_ACCESS_TOKEN = 'sandbox-access-token';
const DEFAULT_RETRIES = [1_000, 5_000, 30_000, 120_000, 600_000];

export interface WhatsAppCloudSandbox {
  readonly app: FastifyInstance;
  readonly deliveries: readonly SandboxDelivery[];
  readonly mediaRequests: readonly SandboxMediaRequest[];
  /** Signs and delivers a webhook body for a known number, as the control routes do. */
  emit(phoneNumberId: string, body: Json): SandboxDelivery;
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
  const mediaRequests: SandboxMediaRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  /** Media downloads still to fail with a 500 (set through POST /__sandbox/faults). */
  let mediaFailures = 0;

  const app = Fastify({ logger: false, bodyLimit: 64 * 1024 * 1024 });
  const origin = (request: FastifyRequest) => `${request.protocol}://${request.host}`;
  const bearerOk = (request: FastifyRequest) => request.headers.authorization === `Bearer ${accessToken}`;
  const graphError = (message: string, code: number, type = 'OAuthException', subcode?: number) => ({
    error: {
      message,
      type,
      code,
      ...(subcode === undefined ? {} : { error_subcode: subcode }),
      fbtrace_id: randomBytes(6).toString('hex'),
    },
  });
  /**
   * An object that does not exist or is not the caller's: HTTP 400, code 100, subcode 33,
   * GraphMethodException (as reported in roughike/flutter_facebook_login#44 and restfb/restfb#1075).
   */
  const unsupportedGet = (id: string) =>
    graphError(
      `Unsupported get request. Object with ID '${id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api`,
      100,
      'GraphMethodException',
      33,
    );
  const seen = (
    hop: SandboxMediaRequest['hop'],
    mediaId: string,
    request: FastifyRequest,
    status: number,
  ) => {
    mediaRequests.push({ hop, mediaId, userAgent: request.headers['user-agent'], status });
    return status;
  };

  const attempt = async (delivery: SandboxDelivery, number: SandboxNumber) => {
    if (closed) return;
    delivery.attempts++;
    try {
      const response = await fetch(delivery.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-hub-signature-256': metaSignature(delivery.body, number.appSecret),
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
      // The exact bytes Meta would send and sign: non-ASCII and `/` escaped.
      body: metaJson(body),
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
  // Meta, Media reference ("Retrieve media URL", "Download media"): GET /<version>/<MEDIA_ID> with the
  // bearer answers {messaging_product, url, mime_type, sha256, file_size, id}; the url is on
  // lookaside.fbsbx.com, valid 5 minutes, and needs the same bearer (whatsapp-sources.md §1.9).
  app.get<{ Params: { version: string; mediaId: string }; Querystring: { phone_number_id?: string } }>(
    '/:version/:mediaId',
    async (request, reply) => {
      const { mediaId } = request.params;
      if (!/^v\d+\.\d+$/.test(request.params.version))
        return reply.status(seen('graph', mediaId, request, 404)).send(graphError('Unknown path', 803));
      if (!bearerOk(request))
        return reply
          .status(seen('graph', mediaId, request, 401))
          .send(graphError('Invalid OAuth access token', 190));
      const found = media.get(mediaId);
      // `phone_number_id` is optional (whatsapp-sources.md §1.9); given, it must be the number the media
      // belongs to (Kapso's Meta proxy docs, "Get media URL": "verify media belongs to this phone number").
      // Meta's answer to a mismatch was not found documented: the sandbox gives the Graph API's answer for
      // an object the caller may not see, as for an unknown id.
      const numberId = request.query.phone_number_id;
      const foreign = numberId !== undefined && (!numbers.has(numberId) || found?.phoneNumberId !== numberId);
      if (!found || foreign)
        return reply.status(seen('graph', mediaId, request, 400)).send(unsupportedGet(mediaId));
      seen('graph', mediaId, request, 200);
      const expires = Date.now() + ttl;
      const hash = createHmac('sha256', accessToken).update(`${found.id}:${expires}`).digest('base64url');
      const query = new URLSearchParams({ mid: found.id, ext: String(expires), hash });
      return {
        messaging_product: 'whatsapp',
        url: `${origin(request)}${LOOKASIDE_PATH}?${query}`,
        mime_type: found.mimeType,
        // Hex here (the "Retrieve media URL" example quoted in chatwoot/chatwoot#9809; Kapso's "Get media
        // URL"), base64 in the webhook's media object (whatsapp-sources.md §1.5, §1.9).
        sha256: createHash('sha256').update(found.bytes).digest('hex'),
        file_size: String(found.bytes.length),
        id: found.id,
      };
    },
  );

  // The lookaside host. Meta's Media Download API reference lists `User-Agent` as a header the client
  // sends, not a required one, and no report of refusals without it was found: recorded, not enforced.
  app.get<{ Querystring: { mid?: string; ext?: string; hash?: string } }>(
    LOOKASIDE_PATH,
    async (request, reply) => {
      const mediaId = request.query.mid ?? '';
      if (!bearerOk(request))
        return reply
          .status(seen('lookaside', mediaId, request, 401))
          .send(graphError('Invalid OAuth access token', 190));
      const found = media.get(mediaId);
      const expires = Number(request.query.ext);
      const hash = createHmac('sha256', accessToken).update(`${mediaId}:${expires}`).digest('base64url');
      // "Media URLs expire after 5 minutes and must be re-retrieved" (Media Download API reference).
      if (!found || request.query.hash !== hash || !(expires > Date.now()))
        return reply
          .status(seen('lookaside', mediaId, request, 404))
          .send(graphError('The media URL expired or is unknown', 100));
      if (mediaFailures > 0) {
        mediaFailures--;
        return reply
          .status(seen('lookaside', mediaId, request, 500))
          .send(graphError('An unexpected error has occurred', 2));
      }
      seen('lookaside', mediaId, request, 200);
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
      media.set(mediaId, {
        id: mediaId,
        phoneNumberId: number.phoneNumberId,
        bytes,
        mimeType: input.media.mimeType,
      });
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
    const body = webhookBody(number, 'messages', {
      contacts: [{ profile: { name: input.name ?? 'Sandbox User' }, wa_id: input.from }],
      messages: [message],
    });
    const delivery = deliver(number, body);
    return reply.status(202).send({ messageId: id, mediaId, deliveryId: delivery.id });
  });

  app.post<{ Body: { mediaFailures?: number } }>('/__sandbox/faults', async (request) => {
    mediaFailures = Math.max(0, Number(request.body?.mediaFailures ?? 0));
    return { mediaFailures };
  });

  const emit = (phoneNumberId: string, body: Json): SandboxDelivery => {
    const number = numbers.get(phoneNumberId);
    if (!number) throw new Error(`unknown phoneNumberId ${phoneNumberId}; add the number first`);
    return deliver(number, body);
  };
  registerWebhookControls(app, { numbers, deliver });

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
    mediaRequests,
    emit,
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
