import { Readable } from 'node:stream';
import type { WAMessage } from 'baileys';
import type { Logger } from 'pino';
import type { MediaResolver } from '../../ingest/media-fetcher.js';
import { BlobTooLargeError } from '../../store/blobs/blob-store.js';
import type { Store } from '../../store/index.js';
import type { LinkedDevices } from './sessions.js';
import { DAY_MS, DEFAULT_TRAFFIC, HOUR_MS, type TrafficLimits } from './traffic.js';

/** What WhatsApp's media servers answer for a file they no longer hold: the phone must upload it again. */
const REUPLOAD_STATUSES = [404, 410];

/**
 * Downloads a linked-device message's media (`whatsapp-web://<account>/<message id>`): the stored
 * message carries the media key and path, the bytes come from WhatsApp's media servers and are
 * decrypted on the way, and their SHA-256 must match the one the message states. Media the servers
 * no longer hold (404/410, common in old history) is asked of the phone again through the account's
 * connected session (the library's `updateMediaMessage`, WhiskeySockets/Baileys
 * src/Utils/messages-media.ts and src/Socket/messages-send.ts: a media retry request the phone
 * answers by uploading the file again), then downloaded from where it was put. Each such request
 * is one the phone and WhatsApp see, so only media younger than `reuploadMaxAgeMs` is asked for,
 * and at most `reuploadsPerHour` per account (counted in the store).
 */
export function linkedDeviceMediaResolver(
  store: Store,
  devices: LinkedDevices,
  logger: Logger,
  limits: Partial<TrafficLimits> = {},
): MediaResolver {
  const log = logger.child({ component: 'linked-device-media' });
  const { reuploadMaxAgeMs, reuploadsPerHour } = { ...DEFAULT_TRAFFIC, ...limits };
  // Downloads run side by side; the hourly count is taken one at a time so it cannot be overrun.
  let counting: Promise<unknown> = Promise.resolve();
  const takeReupload = (accountId: string) => {
    const taken = counting.then(() =>
      store.whatsappWebSessions.takeRequest(accountId, 'reupload', reuploadsPerHour, HOUR_MS),
    );
    counting = taken.catch(() => undefined);
    return taken;
  };
  return async (url, { signal, maxBytes }) => {
    const { downloadMediaMessage, getContentType, normalizeMessageContent } = await import('baileys');
    const { toWAMessage } = await import('./map.js');
    const { statusCodeOf } = await import('./session.js');
    const accountId = decodeURIComponent(url.host);
    const messageId = decodeURIComponent(url.pathname.replace(/^\//, ''));
    let message = toWAMessage(await store.messages.rawOf(accountId, messageId));
    if (!message) throw new Error(`message ${messageId} of ${accountId} is not stored`);
    const media = mediaOf(message, getContentType, normalizeMessageContent);
    if (!media) throw new Error(`message ${messageId} carries no media`);
    if (Number(media.fileLength ?? 0) > maxBytes) throw new BlobTooLargeError(maxBytes);
    const download = (m: WAMessage) => downloadMediaMessage(m, 'stream', { options: { signal } });
    let stream: Awaited<ReturnType<typeof download>>;
    try {
      stream = await download(message);
    } catch (error) {
      if (!REUPLOAD_STATUSES.includes(statusCodeOf(error) ?? 0)) throw error;
      const session = devices.get(accountId);
      if (!session) {
        throw new Error(
          'the media expired on WhatsApp and the phone can only re-upload it while the session runs',
        );
      }
      const sentAt = Number(message.messageTimestamp ?? 0) * 1000;
      if (Date.now() - sentAt > reuploadMaxAgeMs) {
        throw new Error(
          `the media expired on WhatsApp and is older than ${Math.round(reuploadMaxAgeMs / DAY_MS)} days: ` +
            'wasync does not ask the phone to re-upload media that old',
        );
      }
      if (!(await takeReupload(accountId))) {
        throw new Error(
          `the media expired on WhatsApp and ${reuploadsPerHour} re-uploads were asked of the phone ` +
            'in the last hour already: tried again later',
        );
      }
      log.info({ accountId, messageId }, 'media expired on the server; asking the phone to upload it again');
      message = await session.reuploadMedia(message);
      stream = await download(message);
    }
    // The library's download does not take the signal: end the stream when the fetcher gives up.
    const abort = () => stream.destroy(new Error('the media download timed out'));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    stream.once('close', () => signal.removeEventListener('abort', abort));
    const sha = media.fileSha256 ? Buffer.from(media.fileSha256).toString('hex') : undefined;
    return {
      response: new Response(Readable.toWeb(stream) as unknown as ReadableStream<Uint8Array>, {
        headers: media.mimetype ? { 'content-type': media.mimetype } : {},
      }),
      expectedSha256: sha,
    };
  };
}

function mediaOf(
  message: WAMessage,
  getContentType: typeof import('baileys').getContentType,
  normalizeMessageContent: typeof import('baileys').normalizeMessageContent,
) {
  const content = normalizeMessageContent(message.message);
  const type = getContentType(content ?? undefined);
  if (!content || !type) return undefined;
  const body = content[type] as
    | { fileLength?: unknown; fileSha256?: Uint8Array | null; mimetype?: string | null }
    | null
    | undefined;
  return body && typeof body === 'object' && 'mediaKey' in body ? body : undefined;
}
