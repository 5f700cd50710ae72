/**
 * Maps a WhatsApp Cloud API webhook body into what the ingest pipeline and the identity layer take.
 * Shapes: ../shared/reference/whatsapp-sources.md section 1. Nothing is dropped: a message type this
 * file does not know is stored as `unsupported` with its payload; fields that carry nothing to store
 * (templates, account updates, calls, preferences) are listed as ignored.
 */
import type { MessageType } from '../../core/model.js';
import type { PartyRef } from '../../core/party.js';
import { parseWhatsAppId } from '../../core/whatsapp-id.js';
import type { IngestChat, IngestEvent, IngestItem, IngestMessage } from '../../ingest/types.js';

/** A person's key moved: a number change (`phone`) or a new business-scoped id (`bsuid`). */
export interface KeyChange {
  key: 'phone' | 'bsuid';
  from: PartyRef;
  to: PartyRef;
}

export interface HistoryChunk {
  phase: number;
  chunkOrder: number;
  progress: number;
  error: string | undefined;
}

export interface StatusUpdate {
  messageId: string;
  status: string;
  at: number;
  /**
   * The message this status is about, as far as a status tells: from me, in the recipient's chat (a
   * group's for `recipient_type: group`), with no content. Stored only when the message itself is not:
   * sent by another app through the API on the same number, it reaches wasync as statuses alone.
   */
  placeholder: IngestMessage | undefined;
}

export interface MappedDelivery {
  items: IngestItem[];
  keyChanges: KeyChange[];
  /** Address-book names from `smb_app_state_sync`. */
  contacts: PartyRef[];
  history: HistoryChunk[];
  statuses: StatusUpdate[];
  /**
   * Ids of coexistence history media contents (`history` changes with `messages`): each only fills the
   * placeholder its history thread gave, whose chat and direction stand; the chat named on the content
   * item is a guess, never used to place it.
   */
  placeholderContent: string[];
  /** Fields accepted that carry nothing to store, and messages that could not be read, with why. */
  ignored: string[];
}

type Json = Record<string, unknown>;

/** `whatsapp-cloud://<accountId>/<mediaId>?sha256=<as the webhook gave it>`: resolved by the media fetcher. */
export const MEDIA_SCHEME = 'whatsapp-cloud:';

export function mediaUrl(accountId: string, mediaId: string, sha256: string | undefined): string {
  const url = new URL(`whatsapp-cloud://${encodeURIComponent(accountId)}/${encodeURIComponent(mediaId)}`);
  if (sha256) url.searchParams.set('sha256', sha256);
  return url.toString();
}

/** Cloud API wa_ids: the international number, digits only. */
const WA_ID = /^[1-9]\d{6,14}$/;

const MEDIA_TYPES = new Set(['image', 'video', 'audio', 'document', 'sticker']);

export function mapDelivery(body: unknown, accountId: string, receivedAt: number): MappedDelivery {
  const out: MappedDelivery = {
    items: [],
    keyChanges: [],
    contacts: [],
    history: [],
    statuses: [],
    placeholderContent: [],
    ignored: [],
  };
  if (!isRecord(body) || !Array.isArray(body.entry)) {
    out.ignored.push('body: not a WhatsApp webhook (no entry array)');
    return out;
  }
  for (const entry of body.entry) {
    if (!isRecord(entry) || !Array.isArray(entry.changes)) continue;
    for (const change of entry.changes) {
      if (!isRecord(change) || !isRecord(change.value)) continue;
      const field = String(change.field ?? '');
      const value = change.value;
      const metadata = isRecord(value.metadata) ? value.metadata : {};
      const context: MapContext = { accountId, receivedAt, business: digits(metadata.display_phone_number) };
      const contacts = new Contacts(value.contacts);
      switch (field) {
        case 'messages':
          for (const m of records(value.messages)) mapInbound(m, contacts, context, out);
          for (const s of records(value.statuses)) mapStatus(s, contacts, context, out);
          break;
        // Meta "Standby webhooks" (developers.facebook.com/documentation/business-messaging/whatsapp/
        // webhooks/reference/standby/) and 360dialog "Meta Business Agent: Webhooks": while Meta's
        // business agent (or another app, by handover) holds a conversation, the customer's messages,
        // the agent's replies as message echoes and their statuses come on `standby` in the shape of
        // `messages` and `smb_message_echoes`.
        case 'standby':
          for (const m of records(value.messages)) mapInbound(m, contacts, context, out);
          for (const m of records(value.message_echoes)) mapEcho(m, contacts, context, out);
          for (const s of records(value.statuses)) mapStatus(s, contacts, context, out);
          break;
        case 'smb_message_echoes':
          for (const m of records(value.message_echoes)) mapEcho(m, contacts, context, out);
          break;
        case 'history':
          mapHistory(value, contacts, context, out);
          break;
        case 'smb_app_state_sync':
          for (const s of records(value.state_sync)) mapStateSync(s, out);
          break;
        default:
          out.ignored.push(`field ${field}: nothing to store`);
      }
    }
  }
  return out;
}

interface MapContext {
  accountId: string;
  receivedAt: number;
  /** The account's own number as the change names it (`metadata.display_phone_number`), digits only. */
  business: string | undefined;
}

function digits(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const only = String(value).replace(/\D/g, '');
  return only === '' ? undefined : only;
}

/** Whether a `from` is the account's own number: what marks a history message the business sent. */
function isOwnNumber(from: unknown, context: MapContext): boolean {
  return typeof from === 'string' && /^\d+$/.test(from) && from === context.business;
}

/** `value.contacts`: names, usernames and business-scoped ids of the users in this change. */
class Contacts {
  private readonly list: Json[];

  constructor(raw: unknown) {
    this.list = records(raw);
  }

  /** The party for a wa_id (or BSUID), enriched from the contact entry that names it. */
  party(waId: unknown, userId?: unknown, parentUserId?: unknown): PartyRef | undefined {
    let party: PartyRef = { ...addressParty(waId) };
    // The entry naming this user; when the id itself is unusable (Meta's doc placeholders, a
    // withheld number), the one contact of the change is the user it is about.
    const entry =
      this.list.find(
        (c) => (waId !== undefined && c.wa_id === waId) || (userId !== undefined && c.user_id === userId),
      ) ?? (!hasKey(party) && this.list.length === 1 ? this.list[0] : undefined);
    if (!hasKey(party) && entry) party = { ...addressParty(entry.wa_id) };
    const profile = isRecord(entry?.profile) ? entry.profile : {};
    const bsuid = bsuidOf(userId) ?? bsuidOf(entry?.user_id);
    const parent = bsuidOf(parentUserId, true) ?? bsuidOf(entry?.parent_user_id, true);
    party = {
      ...party,
      ...(bsuid && !party.bsuid ? { bsuid } : {}),
      ...(parent ? { parentBsuid: parent } : {}),
      ...(typeof profile.name === 'string' && profile.name ? { name: profile.name } : {}),
      ...(typeof profile.username === 'string' && profile.username ? { username: profile.username } : {}),
    };
    return hasKey(party) ? party : undefined;
  }
}

function addressParty(raw: unknown): PartyRef {
  if (typeof raw !== 'string') return {};
  const parsed = parseWhatsAppId(raw);
  // A wa_id is a number WhatsApp has registered: when the phone metadata calls it invalid (a new
  // range, a test number), the wa_id still identifies the person, so it is kept as dialled.
  if (!parsed.ok)
    return parsed.reason === 'invalid_phone' && WA_ID.test(raw) ? { phone: `+${raw}`, waId: raw } : {};
  const address = parsed.address;
  if (address.kind === 'phone') return { phone: address.e164, waId: raw };
  if (address.kind === 'lid') return { lid: address.lid };
  if (address.kind === 'bsuid')
    return address.parent ? { parentBsuid: address.userId } : { bsuid: address.userId };
  return {};
}

function bsuidOf(raw: unknown, parent = false): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const parsed = parseWhatsAppId(raw);
  return parsed.ok && parsed.address.kind === 'bsuid' && parsed.address.parent === parent
    ? parsed.address.userId
    : undefined;
}

function hasKey(party: PartyRef): boolean {
  return Boolean(party.phone || party.lid || party.bsuid);
}

function mapInbound(m: Json, contacts: Contacts, context: MapContext, out: MappedDelivery): void {
  const system = m.type === 'system' && isRecord(m.system) ? m.system : undefined;
  // A notice of a changed number or id has no contacts array, and for a user known by BSUID alone no
  // `from` either (Meta "System messages webhook reference"): the previous id it names is who it is about.
  const sender =
    contacts.party(m.from, m.from_user_id, m.from_parent_user_id) ?? (system && previousParty(system));
  const chat: IngestChat | undefined =
    typeof m.group_id === 'string' && m.group_id
      ? { kind: 'group', groupKey: m.group_id, title: undefined, participants: sender ? [sender] : [] }
      : sender && { kind: 'direct', partner: sender };
  mapMessage(m, { chat, sender, fromMe: false }, context, out);
  if (system) mapSystem(system, sender, out);
}

function mapEcho(m: Json, contacts: Contacts, context: MapContext, out: MappedDelivery): void {
  const partner = contacts.party(m.to, m.to_user_id, m.to_parent_user_id);
  mapMessage(
    m,
    { chat: partner && { kind: 'direct', partner }, sender: undefined, fromMe: true },
    context,
    out,
  );
}

/**
 * Meta "history webhook reference": each thread is a chat with one user (its `id`); a message `from` the
 * business's own number (`metadata.display_phone_number`) is one the business sent, `to` the user.
 */
function mapHistory(value: Json, contacts: Contacts, context: MapContext, out: MappedDelivery): void {
  for (const m of records(value.messages)) mapHistoryContent(m, contacts, context, out);
  for (const chunk of records(value.history)) {
    const meta = isRecord(chunk.metadata) ? chunk.metadata : {};
    const errors = records(chunk.errors);
    out.history.push({
      phase: Number(meta.phase ?? -1),
      chunkOrder: Number(meta.chunk_order ?? 0),
      progress: Number(meta.progress ?? 0),
      error:
        errors.length > 0
          ? errors.map((e) => `${e.code}: ${e.title ?? e.message ?? ''}`).join('; ')
          : undefined,
    });
    for (const thread of records(chunk.threads)) {
      for (const m of records(thread.messages)) {
        const fromMe =
          isOwnNumber(m.from, context) || (context.business === undefined && m.from !== thread.id);
        const partner =
          contacts.party(thread.id) ??
          (fromMe ? contacts.party(m.to, m.to_user_id) : contacts.party(m.from, m.from_user_id));
        mapMessage(
          m,
          { chat: partner && { kind: 'direct', partner }, sender: fromMe ? undefined : partner, fromMe },
          context,
          out,
        );
      }
    }
  }
}

/**
 * The content of a history media placeholder, sent apart (Meta "history webhook reference": "a separate
 * history webhook will follow, describing the content of the message and the media asset ID"). Its
 * `from` does not tell the direction (Meta's own example names the user for a placeholder the business
 * sent), so it only fills the placeholder, whose thread placed it: see `placeholderContent`.
 */
function mapHistoryContent(m: Json, contacts: Contacts, context: MapContext, out: MappedDelivery): void {
  const own = isOwnNumber(m.from, context);
  const guess = own ? contacts.party(m.to, m.to_user_id) : contacts.party(m.from, m.from_user_id);
  const before = out.items.length;
  mapMessage(
    m,
    { chat: { kind: 'direct', partner: guess ?? {} }, sender: own ? undefined : guess, fromMe: own },
    context,
    out,
  );
  const item = out.items[before];
  if (item?.kind === 'message') out.placeholderContent.push(item.sourceId);
}

function mapStateSync(s: Json, out: MappedDelivery): void {
  if (s.type !== 'contact' || s.action === 'remove' || !isRecord(s.contact)) return;
  const c = s.contact;
  const party = addressParty(c.phone_number);
  const name =
    str(c.full_name) ?? ([str(c.first_name), str(c.last_name)].filter(Boolean).join(' ') || undefined);
  if (hasKey(party) && name) out.contacts.push({ ...party, name });
}

/**
 * Meta "Status messages webhook reference": `recipient_id` is the user's wa_id, or the group's id with
 * `recipient_type: group`; `recipient_user_id` their business-scoped id (2026).
 */
function mapStatus(s: Json, contacts: Contacts, context: MapContext, out: MappedDelivery): void {
  if (typeof s.id !== 'string' || typeof s.status !== 'string') return;
  const at = seconds(s.timestamp);
  let chat: IngestChat | undefined;
  if (s.recipient_type === 'group') {
    const group = str(s.recipient_id);
    chat = group ? { kind: 'group', groupKey: group, title: undefined, participants: [] } : undefined;
  } else {
    const partner = contacts.party(s.recipient_id, s.recipient_user_id);
    chat = partner && { kind: 'direct', partner };
  }
  const placeholder: IngestMessage | undefined = chat && {
    kind: 'message',
    sourceId: s.id,
    chat,
    sender: undefined,
    fromMe: true,
    sentAt: at ?? context.receivedAt,
    type: 'unsupported',
    text: SENT_ELSEWHERE_TEXT,
    replyTo: undefined,
    details: { sentElsewhere: true, originalType: 'status' },
    media: undefined,
    raw: s,
  };
  out.statuses.push({ messageId: s.id, status: s.status, at: at ?? 0, placeholder });
}

/** What a message sent through the API by another app shows: WhatsApp passes on its statuses only. */
export const SENT_ELSEWHERE_TEXT = 'Sent from another app (only its delivery status reached wasync)';

/**
 * The party a change notice is about when it names no sender: its previous id. Meta "System messages
 * webhook reference" (user_changed_number, user_changed_user_id); the body reads
 * "User <name> changed from <previous> to <new>".
 */
function previousParty(system: Json): PartyRef | undefined {
  const previous = str(system.previous_user_id) ?? changedIds(system)?.previous;
  if (previous === undefined) return undefined;
  const party = { ...addressParty(previous), ...bsuidParty(previous) };
  return hasKey(party) ? party : undefined;
}

function bsuidParty(raw: unknown): PartyRef {
  const bsuid = bsuidOf(raw);
  return bsuid ? { bsuid } : {};
}

function changedIds(system: Json): { previous: string; next: string } | undefined {
  const match = / changed from (\S+) to (\S+?)\.?$/.exec(str(system.body) ?? '');
  return match?.[1] && match[2] ? { previous: match[1], next: match[2] } : undefined;
}

/**
 * A person's new number or business-scoped id. Meta "System messages webhook reference" and "Business-scoped
 * user IDs": `user_changed_number` carries the new number in `wa_id` (`new_wa_id` in some versions, per
 * whaloc), and may carry the new BSUID a number change brings in `user_id`; `user_changed_user_id` carries
 * the new BSUID in `user_id` (and `parent_user_id`), the previous in `previous_user_id` or only in the body.
 */
function mapSystem(system: Json, sender: PartyRef | undefined, out: MappedDelivery): void {
  if (!sender) return;
  const newBsuid = bsuidOf(system.user_id) ?? bsuidOf(system.new_user_id);
  const parent = bsuidOf(system.parent_user_id, true);
  const to = (bsuid: string): PartyRef => ({ bsuid, ...(parent ? { parentBsuid: parent } : {}) });
  if (system.type === 'user_changed_number') {
    // The id first: the person is still found under the number the notice says they left.
    if (newBsuid && newBsuid !== sender.bsuid)
      out.keyChanges.push({ key: 'bsuid', from: sender, to: to(newBsuid) });
    const phone = addressParty(system.wa_id ?? system.new_wa_id);
    if (phone.phone && phone.phone !== sender.phone)
      out.keyChanges.push({ key: 'phone', from: sender, to: phone });
  } else if (system.type === 'user_changed_user_id') {
    const body = changedIds(system);
    const previous = bsuidOf(system.previous_user_id) ?? bsuidOf(body?.previous) ?? sender.bsuid;
    const next = newBsuid ?? bsuidOf(body?.next);
    if (next && next !== previous)
      out.keyChanges.push({
        key: 'bsuid',
        from: { ...sender, ...(previous ? { bsuid: previous } : {}) },
        to: to(next),
      });
  }
}

interface Who {
  chat: IngestChat | undefined;
  sender: PartyRef | undefined;
  fromMe: boolean;
}

function mapMessage(m: Json, who: Who, context: MapContext, out: MappedDelivery): void {
  const id = str(m.id);
  const type = str(m.type) ?? 'unsupported';
  if (!id) {
    out.ignored.push(`a ${type} message without an id`);
    return;
  }
  const at = seconds(m.timestamp) ?? context.receivedAt;
  if (type === 'reaction' || type === 'edit' || type === 'revoke') {
    const event = toEvent(m, id, type, at, who);
    if (event) out.items.push(event);
    else out.ignored.push(`${type} ${id}: no target message`);
    return;
  }
  if (!who.chat) {
    out.ignored.push(`message ${id}: the other person has no usable id`);
    return;
  }
  const message: IngestMessage = {
    kind: 'message',
    sourceId: id,
    chat: who.chat,
    sender: who.fromMe ? undefined : who.sender,
    fromMe: who.fromMe,
    sentAt: at,
    type: 'unsupported',
    text: undefined,
    replyTo: undefined,
    details: undefined,
    media: undefined,
    raw: m,
  };
  const details: Json = {};
  const ctx = isRecord(m.context) ? m.context : {};
  if (typeof ctx.id === 'string') message.replyTo = ctx.id;
  if (ctx.forwarded === true) details.forwarded = true;
  if (ctx.frequently_forwarded === true) {
    details.forwarded = true;
    details.frequentlyForwarded = true;
  }
  if (isRecord(ctx.referred_product)) details.referredProduct = ctx.referred_product;
  if (isRecord(m.referral)) details.referral = m.referral;
  if (Array.isArray(m.errors)) details.errors = m.errors;
  if (isRecord(m.history_context)) details.historyStatus = m.history_context.status;
  Object.assign(message, content(m, type, context.accountId, details));
  message.details = Object.keys(details).length > 0 ? details : undefined;
  out.items.push(message);
}

function content(
  m: Json,
  type: string,
  accountId: string,
  details: Json,
): Pick<IngestMessage, 'type' | 'text' | 'media'> {
  const body = isRecord(m[type]) ? (m[type] as Json) : undefined;
  if (type === 'text' && body) return { type: 'text', text: str(body.body) ?? '', media: undefined };
  if (MEDIA_TYPES.has(type) && body) {
    const stored: MessageType =
      type === 'audio' && body.voice === true
        ? 'voice'
        : (type as 'image' | 'video' | 'audio' | 'document' | 'sticker');
    if (type === 'sticker') details.animated = body.animated === true;
    const mediaId = str(body.id);
    return {
      type: stored,
      text: str(body.caption),
      media: mediaId
        ? {
            kind: 'url',
            url: mediaUrl(accountId, mediaId, str(body.sha256)),
            mimeType: str(body.mime_type),
            fileName: str(body.filename),
          }
        : undefined,
    };
  }
  if (type === 'location' && body) {
    details.location = pick(body, ['latitude', 'longitude', 'name', 'address', 'url']);
    return { type: 'location', text: str(body.name), media: undefined };
  }
  if (type === 'contacts' && Array.isArray(m.contacts)) {
    details.contacts = records(m.contacts).map(contactCard);
    return { type: 'contacts', text: undefined, media: undefined };
  }
  if (type === 'interactive' && body) {
    const kind = str(body.type) ?? 'unknown';
    const reply = isRecord(body[kind]) ? (body[kind] as Json) : {};
    details.interactive = {
      type: kind,
      ...reply,
      ...(kind === 'nfm_reply' ? { response: parseJson(reply.response_json) } : {}),
    };
    return { type: 'interactive', text: str(reply.title) ?? str(reply.body), media: undefined };
  }
  if (type === 'button' && body) {
    details.button = pick(body, ['payload', 'text']);
    return { type: 'button', text: str(body.text), media: undefined };
  }
  if (type === 'order' && body) {
    details.order = body;
    return { type: 'order', text: str(body.text) || undefined, media: undefined };
  }
  if (type === 'system') {
    if (body) details.system = body;
    if (isRecord(m.identity)) details.identity = m.identity;
    return { type: 'system', text: body ? str(body.body) : undefined, media: undefined };
  }
  if (type === 'request_welcome') {
    details.requestWelcome = true;
    return { type: 'system', text: undefined, media: undefined };
  }
  // unsupported, media_placeholder (coexistence history), interactive without a body, new types.
  details.originalType = type;
  if (body) details.content = body;
  if (type === 'media_placeholder') details.mediaPlaceholder = true;
  return { type: 'unsupported', text: undefined, media: undefined };
}

function toEvent(m: Json, id: string, type: string, at: number, who: Who): IngestEvent | undefined {
  const body = isRecord(m[type]) ? (m[type] as Json) : {};
  const target = type === 'reaction' ? str(body.message_id) : str(body.original_message_id);
  if (!target) return undefined;
  let text: string | undefined;
  if (type === 'edit' && isRecord(body.message)) {
    const edited = body.message;
    const inner = isRecord(edited[String(edited.type)]) ? (edited[String(edited.type)] as Json) : {};
    text = str(inner.body) ?? str(inner.caption) ?? '';
  }
  return {
    kind: type === 'reaction' ? 'reaction' : type === 'edit' ? 'edit' : 'delete',
    sourceId: id,
    target,
    sender: who.fromMe ? undefined : who.sender,
    fromMe: who.fromMe,
    occurredAt: at,
    text,
    emoji: type === 'reaction' ? (str(body.emoji) ?? '') : undefined,
    raw: m,
  };
}

function contactCard(card: Json): Record<string, unknown> {
  const name = isRecord(card.name) ? card.name : {};
  const org = isRecord(card.org) ? card.org : {};
  return {
    name: str(name.formatted_name) ?? [str(name.first_name), str(name.last_name)].filter(Boolean).join(' '),
    phones: records(card.phones)
      .map((p) => str(p.phone) ?? str(p.wa_id))
      .filter(Boolean),
    emails: records(card.emails)
      .map((e) => str(e.email))
      .filter(Boolean),
    ...(str(org.company) ? { organization: str(org.company) } : {}),
  };
}

function pick(value: Json, keys: readonly string[]): Json {
  return Object.fromEntries(keys.filter((k) => value[k] !== undefined).map((k) => [k, value[k]]));
}

function parseJson(value: unknown): unknown {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

/** The latest time a date can hold (ECMAScript Language Specification, "Time Values and Time Range"). */
const MAX_TIME_MS = 8.64e15;

/** Unix seconds as milliseconds; undefined when absent or no time a date can hold (1e300, say). */
function seconds(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  const ms = Math.round(n * 1000);
  return Number.isFinite(ms) && ms > 0 && ms <= MAX_TIME_MS ? ms : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function records(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
