import { Readable } from 'node:stream';
import type { WAMessage } from 'baileys';
import type { Logger } from 'pino';
import type { MediaResolver } from '../../ingest/media-fetcher.js';
import type { Store } from '../../store/index.js';
import { BlobTooLargeError } from '../../store/media-blobs.js';
import type { LinkedDevices } from './sessions.js';

/** What WhatsApp's media servers answer for a file they no longer hold: the phone must upload it again. */
const REUPLOAD_STATUSES = [404, 410];

/**
 * Downloads a linked-device message's media (`whatsapp-web://<account>/<message id>`): the stored
 * message carries the media key and path, the bytes come from WhatsApp's media servers and are
 * decrypted on the way, and their SHA-256 must match the one the message states. Media the servers
 * no longer hold (404/410, common in old history) is asked of the phone again through the account's
 * connected session, then downloaded from where it was put.
 */
export function linkedDeviceMediaResolver(
  store: Store,
  devices: LinkedDevices,
  logger: Logger,
): MediaResolver {
  const log = logger.child({ component: 'linked-device-media' });
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
