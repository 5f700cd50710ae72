import { EventEmitter } from 'node:events';
import {
  type BaileysEventMap,
  type Contact,
  DisconnectReason,
  type GroupMetadata,
  makeEventBuffer,
  type WAMessage,
  type WAMessageKey,
} from 'baileys';
import pino from 'pino';
import type { CaptureSocket, SocketFactory, SocketOptions } from '../../src/sources/whatsapp-web/socket.js';

/** The library's way of telling why a socket closed: an error carrying `output.statusCode`. */
export function disconnectError(statusCode: number, message = 'closed'): Error {
  return Object.assign(new Error(message), { output: { statusCode } });
}

/**
 * A stand-in for the library's socket: events go through the library's own event buffer in the
 * library's own types, so the session under test hears exactly what it would from WhatsApp. What
 * the session asks of it (history on demand, a pairing code, groups, a media re-upload) is recorded and
 * answered as the test says.
 */
export class FakeSocket implements CaptureSocket {
  readonly ev = makeEventBuffer(pino({ level: 'silent' }));
  readonly ws = new EventEmitter();
  user: Contact | undefined;
  ended: { error: Error | undefined } | undefined;
  loggedOut = false;
  readonly historyRequests: { id: string; count: number; key: WAMessageKey; timestampMs: number }[] = [];
  readonly pairingCodeRequests: string[] = [];
  groups: Record<string, GroupMetadata> = {};
  /** What the session asked about groups, in order: `all` for the full list, else a group's JID. */
  readonly groupFetches: string[] = [];
  reupload: ((message: WAMessage) => WAMessage) | undefined;
  /** Every presence sent, by the library itself on open or by the session, in order. */
  readonly presences: string[] = [];

  constructor(readonly options: SocketOptions) {
    // What the (patched) library does with every creds update: merges it, sends nothing
    // (src/Socket/socket.ts, `ev.on('creds.update')`, less the presence the patch removes).
    this.ev.on('creds.update', (update) => Object.assign(this.options.auth.creds, update));
  }

  emit<E extends keyof BaileysEventMap>(event: E, data: BaileysEventMap[E]): void {
    this.ev.emit(event, data);
  }

  /**
   * The phone confirmed pairing: the library fills in `creds.me` and asks for it to be saved. The
   * name is the business name, if any (src/Utils/validate-connection.ts, configureSuccessfulPairing:
   * `name: bizName`); a personal account's name comes later (`nameArrives`).
   */
  pairSucceeds(me = '14155550000:3@s.whatsapp.net', businessName?: string): void {
    const contact = { id: me, lid: '999000111:3@lid', ...(businessName ? { name: businessName } : {}) };
    this.options.auth.creds.me = contact;
    this.options.auth.creds.account = {
      details: Buffer.from('signed device identity'),
      accountSignatureKey: Buffer.alloc(32, 1),
      accountSignature: Buffer.alloc(64, 2),
      deviceSignature: Buffer.alloc(64, 3),
    };
    this.emit('creds.update', { me: contact, account: this.options.auth.creds.account });
  }

  /**
   * The connection opens as the library opens it (src/Socket/socket.ts, `CB:success`): `me` is saved
   * again, then `open`; on open the library says `unavailable` itself when it knows the account's
   * name (src/Socket/chats.ts: `markOnlineOnConnect` is off in wasync's socket).
   */
  open(): void {
    const me = this.options.auth.creds.me;
    this.user = me ?? { id: '14155550000:3@s.whatsapp.net' };
    if (me) this.emit('creds.update', { me: { ...me } });
    this.emit('connection.update', { connection: 'open', isNewLogin: false });
    void this.sendPresenceUpdate('unavailable');
  }

  /**
   * The account's name arrives, as the library learns it from the phone's app state
   * (src/Utils/chat-utils.ts, `pushNameSetting`: a creds update with `me.name`).
   */
  nameArrives(name: string): void {
    this.emit('creds.update', { me: { ...(this.options.auth.creds.me ?? { id: '' }), name } });
  }

  /** As the library's: without the account's name it sends nothing (src/Socket/chats.ts). */
  async sendPresenceUpdate(type: 'unavailable' | 'available'): Promise<void> {
    if (!this.options.auth.creds.me?.name) return;
    this.presences.push(type);
  }

  /**
   * The connection ends as the library ends it: the close is told, then the event buffer is dropped.
   * `data` is what a `<failure>` carried (its attributes, as the library passes them on).
   */
  close(statusCode: number, message = 'closed', data?: Record<string, string>): void {
    this.end(Object.assign(disconnectError(statusCode, message), data ? { data } : {}));
  }

  /** A frame arrived (a keep-alive answer, say): the watchdog's sign of life. */
  frame(): void {
    this.ws.emit('frame', {});
  }

  end(error: Error | undefined): void {
    if (this.ended) return;
    this.ended = { error };
    this.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
    this.ev.destroy();
  }

  async logout(): Promise<void> {
    this.loggedOut = true;
    this.end(disconnectError(DisconnectReason.loggedOut, 'Intentional Logout'));
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    this.pairingCodeRequests.push(phoneNumber);
    // As the library does: `me` is set before anything is paired.
    this.options.auth.creds.me = { id: `${phoneNumber}@s.whatsapp.net`, name: '~' };
    return 'ABCD1234';
  }

  async fetchMessageHistory(count: number, key: WAMessageKey, timestampMs: number): Promise<string> {
    const id = `pdo-${this.historyRequests.length + 1}`;
    this.historyRequests.push({ id, count, key, timestampMs });
    return id;
  }

  async groupFetchAllParticipating(): Promise<Record<string, GroupMetadata>> {
    this.groupFetches.push('all');
    return this.groups;
  }

  async groupMetadata(jid: string): Promise<GroupMetadata> {
    this.groupFetches.push(jid);
    const group = this.groups[jid];
    if (!group) throw new Error(`item-not-found: ${jid}`);
    return group;
  }

  async updateMediaMessage(message: WAMessage): Promise<WAMessage> {
    if (!this.reupload) throw new Error('no re-upload configured');
    return this.reupload(message);
  }
}

/** Makes fake sockets for a session and keeps every one, newest last. */
export class FakeWhatsApp {
  readonly sockets: FakeSocket[] = [];
  /** Groups every new socket reports on connect. */
  groups: Record<string, GroupMetadata> = {};

  readonly factory: SocketFactory = async (options) => {
    const socket = new FakeSocket(options);
    socket.groups = this.groups;
    this.sockets.push(socket);
    return socket;
  };

  get current(): FakeSocket {
    const socket = this.sockets.at(-1);
    if (!socket) throw new Error('no socket was made yet');
    return socket;
  }

  /** Waits until the session has made its `n`th socket (a reconnect makes a new one). */
  async socket(n: number, timeoutMs = 5_000): Promise<FakeSocket> {
    const until = Date.now() + timeoutMs;
    while (this.sockets.length < n) {
      if (Date.now() > until) throw new Error(`socket ${n} was never made (${this.sockets.length} so far)`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return this.sockets[n - 1] as FakeSocket;
  }
}
