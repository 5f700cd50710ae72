import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import type { Logger } from 'pino';
import { BackgroundPass } from '../core/background-pass.js';
import type { GuardedFetch } from '../net/guarded-fetch.js';
import { UrlForbiddenError } from '../net/outbound-url.js';
import { type BlobStore, BlobTooLargeError } from '../store/blobs/blob-store.js';
import type { MediaRepository, PendingMedia } from '../store/repositories/media.js';

export interface MediaFetcherOptions {
  media: MediaRepository;
  blobs: BlobStore;
  logger: Logger;
  maxBytes: number;
  /** The client for plain http(s) media URLs: they come from whoever posts media, so it is the guarded one. */
  fetch: GuardedFetch;
  /** Delay before each retry; the number of entries is the number of retries. */
  retryDelaysMs?: readonly number[];
  timeoutMs?: number;
  pollMs?: number;
  /** Resolvers for source URLs that are not plain http(s), keyed by protocol (`whatsapp-cloud:`). */
  resolvers?: Readonly<Record<string, MediaResolver>>;
}

/** What a resolver hands back: the response carrying the bytes, and the checksum they must have. */
export interface ResolvedMedia {
  response: Response;
  /** Lowercase hex SHA-256 the bytes must hash to; a mismatch fails the attempt (and retries). */
  expectedSha256: string | undefined;
}

/**
 * Turns a source URL of one scheme into bytes: a Cloud API media id becomes a Graph API lookup and a
 * download with the account's bearer token. Throw BlobTooLargeError for a file known to be too big.
 */
export type MediaResolver = (
  url: URL,
  options: { signal: AbortSignal; maxBytes: number },
) => Promise<ResolvedMedia>;

/**
 * How long a source keeps the media its URLs name, for sources whose ids expire (a Cloud API media id
 * lives 7 days). A failing download of such a source is retried with `retryDelaysMs` (the last one
 * repeating) until `keepTryingForMs` after the media was stored, then given up with `expiredReason`.
 */
export interface ResolverLifetime {
  keepTryingForMs: number;
  retryDelaysMs: readonly number[];
  /** The failure recorded when the time is up: stable, so people and tests can match it. */
  expiredReason: string;
}

export class MediaChecksumError extends Error {
  constructor(expected: string, actual: string) {
    super(`the downloaded bytes hash to ${actual}, the source says ${expected}`);
  }
}

const DEFAULT_RETRIES = [30_000, 120_000, 600_000, 3_600_000];
const BATCH = 8;

/**
 * Downloads media that arrived as URLs, in the background, so storing a message never waits on a
 * slow file server. Failures retry with growing delays; after the last one the media is marked
 * failed with the reason, and the message stays stored. Media of a source whose ids expire is retried
 * until they do (see {@link ResolverLifetime}).
 */
export class MediaFetcher {
  private readonly loop: BackgroundPass;
  private readonly retryDelays: readonly number[];
  private readonly timeoutMs: number;
  private readonly resolvers = new Map<string, MediaResolver>();
  private readonly lifetimes = new Map<string, ResolverLifetime>();

  constructor(private readonly options: MediaFetcherOptions) {
    this.retryDelays = options.retryDelaysMs ?? DEFAULT_RETRIES;
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.loop = new BackgroundPass(() => this.drain(), {
      pollMs: options.pollMs ?? 15_000,
      onError: (error) => this.options.logger.error({ err: error }, 'media fetch pass failed'),
    });
    for (const [protocol, resolver] of Object.entries(options.resolvers ?? {}))
      this.resolvers.set(protocol, resolver);
  }

  /**
   * Adds a resolver for source URLs of `protocol` (with the colon: `whatsapp-cloud:`); with a lifetime,
   * its failing downloads are retried for as long as the source keeps the media instead of a few times.
   */
  registerResolver(protocol: string, resolver: MediaResolver, lifetime?: ResolverLifetime): void {
    this.resolvers.set(protocol, resolver);
    if (lifetime) this.lifetimes.set(protocol, lifetime);
    else this.lifetimes.delete(protocol);
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Runs a pass now (or right after the current one) instead of waiting for the next poll. */
  wake(): void {
    this.loop.wake();
  }

  /** Fetches everything due now; returns how many downloads were attempted. */
  async drain(now = () => Date.now()): Promise<number> {
    let attempted = 0;
    for (;;) {
      const due = await this.options.media.claimDue(now(), BATCH, this.timeoutMs * 2);
      if (due.length === 0) return attempted;
      await Promise.all(due.map((item) => this.fetchOne(item, now)));
      attempted += due.length;
    }
  }

  private async fetchOne(item: PendingMedia, now: () => number): Promise<void> {
    const { id, sourceUrl: url, attempts } = item;
    try {
      const signal = AbortSignal.timeout(this.timeoutMs);
      const { response, expectedSha256 } = await this.open(url, signal);
      if (!response.ok || !response.body) throw new Error(`HTTP ${response.status} from the media URL`);
      const declared = Number(response.headers.get('content-length') ?? 0);
      if (declared > this.options.maxBytes) throw new BlobTooLargeError(this.options.maxBytes);
      const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
      const blob = await this.options.blobs.putStream(body, this.options.maxBytes);
      // The blob store is content-addressed: bytes that fail the check stay unreferenced, harmlessly.
      if (expectedSha256 && expectedSha256 !== blob.sha256)
        throw new MediaChecksumError(expectedSha256, blob.sha256);
      const mimeType = response.headers.get('content-type')?.split(';')[0]?.trim() || undefined;
      await this.options.media.markStored(id, { ...blob, mimeType });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      // A forbidden URL stays forbidden: trying it again would only knock on the same door.
      const permanent = error instanceof BlobTooLargeError || error instanceof UrlForbiddenError;
      const next = permanent
        ? { retryAt: undefined, failure: reason }
        : this.nextAttempt(item, reason, now());
      await this.options.media.markAttemptFailed(id, next.failure, next.retryAt);
      this.options.logger.warn(
        { mediaId: id, attempt: attempts + 1, reason, willRetry: next.retryAt !== undefined },
        'media download failed',
      );
    }
  }

  /** When to try a failed download again (undefined: never), and the failure to record. */
  private nextAttempt(
    item: PendingMedia,
    reason: string,
    now: number,
  ): { retryAt: number | undefined; failure: string } {
    const lifetime = this.lifetimes.get(protocolOf(item.sourceUrl) ?? '');
    if (!lifetime) {
      const delay = this.retryDelays[item.attempts];
      return { retryAt: delay === undefined ? undefined : now + delay, failure: reason };
    }
    const deadline = item.createdAt + lifetime.keepTryingForMs;
    if (now >= deadline) return { retryAt: undefined, failure: lifetime.expiredReason };
    const delays = lifetime.retryDelaysMs;
    const delay = delays[Math.min(item.attempts, delays.length - 1)] ?? 3_600_000;
    // The last try falls on the deadline itself rather than after it.
    return { retryAt: Math.min(now + delay, deadline), failure: reason };
  }

  private async open(url: string, signal: AbortSignal): Promise<ResolvedMedia> {
    const protocol = protocolOf(url);
    const resolver = protocol ? this.resolvers.get(protocol) : undefined;
    if (resolver) return resolver(new URL(url), { signal, maxBytes: this.options.maxBytes });
    const response = await this.options.fetch(url, { signal });
    return { response, expectedSha256: undefined };
  }
}

/** The URL's scheme with its colon, lowercase (`whatsapp-cloud:`). */
function protocolOf(url: string): string | undefined {
  return /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0]?.toLowerCase();
}
