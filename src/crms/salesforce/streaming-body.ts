/**
 * A request body sent as a stream, for files too large to hold in memory. Each attempt opens it afresh
 * (a request signed in again after a 401 cannot replay a spent stream), and it carries its own timeout:
 * a large upload takes as long as the uplink needs, not the transport's default. It goes with chunked
 * transfer encoding rather than a Content-Length taken from the store's record of the size, which, if
 * ever wrong, would fail every attempt (unverified: an org's front end is assumed to take chunked
 * request bodies, as HTTP/1.1 requires of servers).
 */
export class StreamingBody {
  constructor(
    readonly options: {
      contentType: string;
      timeoutMs: number;
      open(): AsyncIterable<Uint8Array>;
    },
  ) {}

  get contentType(): string {
    return this.options.contentType;
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /** A fresh stream of the body for one attempt; cancelling it stops reading the source. */
  stream(): ReadableStream<Uint8Array> {
    const source = this.options.open()[Symbol.asyncIterator]();
    return new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await source.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await source.return?.();
      },
    });
  }
}
