import type { WAMessage } from 'baileys';
import type { Logger } from 'pino';
import type { Store } from '../../store/index.js';
import { toWAMessage } from './map.js';
import type { SessionTiming } from './session.js';
import type { CaptureSocket } from './socket.js';
import { DAY_MS } from './traffic.js';

/** A disconnection's gap being filled: since when, the history requests out, and where it stands. */
interface Gap {
  since: number;
  requests: Map<string, { jid: string; rounds: number }>;
  /** settle: waiting for offline messages; quiet: waiting for them to stop; done: requests sent. */
  pending: 'settle' | 'quiet' | 'done';
  /** The first requests are still going out, one by one. */
  sending: boolean;
  timer: NodeJS.Timeout | undefined;
}

/** What the gap fill needs of its session. */
export interface GapFillHost {
  accountId: string;
  store: Store;
  timing: SessionTiming;
  log: Logger;
  /** Runs work in the session's event queue, after what is queued already. */
  enqueue(work: () => Promise<unknown>): void;
  /** A store write, retried while the database refuses. */
  persist<T>(write: () => Promise<T>): Promise<T>;
  /** A timer the session clears when it stops. */
  timer(ms: number, run: () => void): NodeJS.Timeout;
  /** Whether `socket` is still the session's socket (a closed one asks nothing more). */
  isCurrent(socket: CaptureSocket): boolean;
}

/**
 * Filling the gap a disconnection leaves. The session notes where a drop began (in the store, so a
 * restart fills it too); after the next connect this waits for WhatsApp's offline messages to arrive
 * and settle, then, for each chat with a message since the drop, asks the phone for the messages
 * before the earliest such one, again while a full answer still ends inside the gap. The stored gap
 * closes once every request is answered (or after a while without answers). To keep the traffic
 * modest, only a long gap is filled, only for the few most recently active chats, and every request
 * counts against a daily cap per account kept in the store (see traffic.ts).
 */
export class GapFill {
  private gap: Gap | undefined;

  constructor(private readonly host: GapFillHost) {}

  /**
   * The socket opened and a gap is stored since `since`: wait for the offline messages first. A gap
   * shorter than `gapMinMs` is closed at once, asking nothing: WhatsApp delivers what a device missed
   * while briefly offline on its own, so asking the phone too would only add traffic.
   */
  begin(socket: CaptureSocket, since: number, now = Date.now()): void {
    this.abandon();
    const gap: Gap = { since, requests: new Map(), pending: 'settle', sending: false, timer: undefined };
    this.gap = gap;
    if (now - since < this.host.timing.gapMinMs) {
      gap.pending = 'done';
      this.host.enqueue(() => this.close(gap));
      return;
    }
    this.schedule(socket, this.host.timing.gapSettleMs);
  }

  /** WhatsApp says the offline messages are delivered: fill once nothing more arrives for a moment. */
  offlineDelivered(socket: CaptureSocket): void {
    if (this.gap?.pending !== 'settle') return;
    this.gap.pending = 'quiet';
    this.schedule(socket, this.host.timing.gapQuietMs);
  }

  /** Messages arrived: while offline ones still trickle in, the wait starts over. */
  messagesArrived(socket: CaptureSocket): void {
    if (this.gap?.pending === 'quiet') this.schedule(socket, this.host.timing.gapQuietMs);
  }

  /** The socket closed or the session stopped: the stored gap stays open for the next connect. */
  abandon(): void {
    if (this.gap?.timer) clearTimeout(this.gap.timer);
    this.gap = undefined;
  }

  /** Fills the gap `delayMs` from now; called again, the wait starts over (offline messages trickle in). */
  private schedule(socket: CaptureSocket, delayMs: number): void {
    const gap = this.gap;
    if (!gap || gap.pending === 'done') return;
    if (gap.timer) {
      clearTimeout(gap.timer);
    }
    gap.timer = this.host.timer(delayMs, () => {
      gap.timer = undefined;
      if (this.gap !== gap || gap.pending === 'done') return;
      gap.pending = 'done';
      this.host.enqueue(() => this.fill(socket, gap));
    });
  }

  /**
   * Asks the phone for what each chat missed during the disconnection: for every chat with a message
   * since the gap began (most recent first, up to a limit), the messages before its earliest such one.
   * The requests go out one by one, spaced, outside the event queue; the answers come back as history
   * sets, stored like any other, and a full answer that still ends inside the gap asks again.
   */
  private async fill(socket: CaptureSocket, gap: Gap): Promise<void> {
    if (this.gap !== gap || !this.host.isCurrent(socket)) return;
    const firsts = await this.host.persist(() =>
      this.host.store.messages.firstSince(this.host.accountId, gap.since),
    );
    const anchors = firsts
      .map((first) => toWAMessage(first.raw))
      .filter((message): message is WAMessage => Boolean(message?.key?.remoteJid))
      .slice(0, this.host.timing.gapFillChats);
    if (anchors.length === 0) return this.close(gap);
    // Given up on if the phone never answers (it may be offline), so a later drop opens a new gap.
    this.host.timer(this.host.timing.gapTimeoutMs, () => this.host.enqueue(() => this.close(gap)));
    gap.sending = true;
    void (async () => {
      for (const [i, anchor] of anchors.entries()) {
        if (this.gap !== gap || !this.host.isCurrent(socket)) return;
        if (i > 0) await new Promise((resolve) => setTimeout(resolve, this.host.timing.gapRequestSpacingMs));
        await this.request(socket, gap, anchor, { jid: anchor.key.remoteJid ?? '', rounds: 1 });
      }
      gap.sending = false;
      this.closeWhenAnswered(gap);
    })();
  }

  /** Settles the requests a history set answers, chat by chat; asks again where a full answer ends in the gap. */
  historyArrived(
    socket: CaptureSocket,
    history: { messages: WAMessage[]; peerDataRequestSessionId?: string | null },
  ): void {
    const gap = this.gap;
    if (!gap) return;
    const byChat = new Map<string, WAMessage[]>();
    for (const message of history.messages) {
      const jid = message.key.remoteJid;
      if (jid) byChat.set(jid, [...(byChat.get(jid) ?? []), message]);
    }
    const answered = [...gap.requests].filter(
      ([id, request]) => id === history.peerDataRequestSessionId || byChat.has(request.jid),
    );
    for (const [id, request] of answered) {
      gap.requests.delete(id);
      const messages = byChat.get(request.jid) ?? [];
      const oldest = messages.reduce<WAMessage | undefined>(
        (found, m) => (!found || Number(m.messageTimestamp) < Number(found.messageTimestamp) ? m : found),
        undefined,
      );
      const oldestAt = Number(oldest?.messageTimestamp ?? 0) * 1000;
      if (
        oldest &&
        messages.length >= this.host.timing.gapFillCount &&
        oldestAt > gap.since &&
        request.rounds < this.host.timing.gapFillRounds
      ) {
        void this.request(socket, gap, oldest, { jid: request.jid, rounds: request.rounds + 1 });
      }
    }
    if (answered.length > 0) this.closeWhenAnswered(gap);
  }

  /** Closes the gap once every request has gone out and been answered. */
  private closeWhenAnswered(gap: Gap): void {
    if (this.gap === gap && !gap.sending && gap.requests.size === 0) this.host.enqueue(() => this.close(gap));
  }

  private async request(
    socket: CaptureSocket,
    gap: Gap,
    before: WAMessage,
    request: { jid: string; rounds: number },
  ): Promise<void> {
    // Counted as out before the phone is asked, so an answer cannot overtake its own request.
    const placeholder = `pending:${request.jid}:${request.rounds}`;
    gap.requests.set(placeholder, request);
    try {
      const { accountId, store, timing } = this.host;
      const allowed = await this.host.persist(() =>
        store.whatsappWebSessions.takeRequest(accountId, 'history', timing.gapRequestsPerDay, DAY_MS),
      );
      if (!allowed) {
        gap.requests.delete(placeholder);
        this.host.log.info(
          { chat: request.jid, perDay: timing.gapRequestsPerDay },
          'the daily cap on history requests is reached; the rest of the gap stays unfilled',
        );
        this.closeWhenAnswered(gap);
        return;
      }
      const id = await socket.fetchMessageHistory(
        this.host.timing.gapFillCount,
        before.key,
        Number(before.messageTimestamp ?? 0) * 1000,
      );
      if (gap.requests.delete(placeholder)) gap.requests.set(id, request);
    } catch (error) {
      gap.requests.delete(placeholder);
      this.host.log.warn({ err: error, chat: request.jid }, 'asking the phone for missed history failed');
    }
  }

  /** Ends a gap (filled, or given up on); a newer gap is left alone. */
  private async close(gap: Gap): Promise<void> {
    if (this.gap !== gap) return;
    this.gap = undefined;
    await this.host.persist(() => this.host.store.whatsappWebSessions.closeGap(this.host.accountId));
  }
}
