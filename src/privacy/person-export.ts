import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Store } from '../store/index.js';
import { toIdentity } from '../store/repositories/identities.js';
import { type Database, readJson } from '../store/schema.js';
import type { ZipEntry } from './zip-stream.js';

const CHUNK = 400;
const iso = (at: number | null | undefined) =>
  at === null || at === undefined ? undefined : new Date(Number(at)).toISOString();

/** One message of the export: the person's, or the account's in a direct chat with them. */
interface ExportedMessage {
  id: string;
  chatId: string;
  sourceMessageId: string;
  from: 'account' | 'person';
  sentAt: string | undefined;
  type: string;
  text: string | undefined;
  editedAt: string | undefined;
  deletedAt: string | undefined;
  details: unknown;
  edits: { at: string | undefined; text: unknown }[];
  reactions: { by: 'account' | 'person' | 'someone else'; emoji: string; at: string | undefined }[];
  media:
    | { file: string | undefined; mimeType: string | undefined; sizeBytes: number | undefined; state: string }
    | undefined;
}

/**
 * Everything the store holds about one person (an access request): their identities, their direct
 * chats with every message both ways, what they wrote in groups (and nothing of the others there),
 * edits and reactions, their CRM record links, and their media files. Answers undefined when the store
 * knows no one by that number.
 */
export async function personExport(
  store: Store,
  workspaceId: string,
  e164: string,
): Promise<{ entries: ZipEntry[]; messages: number; files: number } | undefined> {
  const db = store.sql.db;
  const digits = e164.replace(/^\+/, '');
  const identities = await db
    .selectFrom('identities')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where((eb) => eb.or([eb('phone_e164', '=', e164), eb('wa_id', '=', digits)]))
    .execute();
  if (identities.length === 0) return undefined;
  const ids = identities.map((i) => i.id);
  const idSet = new Set(ids);

  const chats = await db
    .selectFrom('chats')
    .innerJoin('accounts', 'accounts.id', 'chats.account_id')
    .select([
      'chats.id',
      'chats.kind',
      'chats.title',
      'chats.partner_identity_id',
      'accounts.phone_e164 as account_phone',
    ])
    .where('accounts.workspace_id', '=', workspaceId)
    .where((eb) =>
      eb.or([
        eb('chats.partner_identity_id', 'in', ids),
        eb(
          'chats.id',
          'in',
          eb.selectFrom('chat_participants').select('chat_id').where('identity_id', 'in', ids),
        ),
        eb(
          'chats.id',
          'in',
          eb.selectFrom('messages').select('chat_id').where('sender_identity_id', 'in', ids),
        ),
      ]),
    )
    .execute();
  const direct = new Set(
    chats.filter((c) => c.partner_identity_id && idSet.has(c.partner_identity_id)).map((c) => c.id),
  );

  const rows = [];
  for (const part of chunked(chats.map((c) => c.id))) {
    rows.push(
      ...(await db
        .selectFrom('messages')
        .selectAll()
        .where('chat_id', 'in', part)
        .where((eb) =>
          eb.or([
            eb('chat_id', 'in', [...direct].filter((id) => part.includes(id)).concat([''])),
            eb('sender_identity_id', 'in', ids),
          ]),
        )
        .orderBy('sent_at')
        .execute()),
    );
  }
  const messageIds = rows.map((m) => m.id);
  const media = await byMessage(db, 'media', messageIds);
  const reactions = await byMessage(db, 'message_reactions', messageIds);
  const edits = new Map<string, { at: string | undefined; text: unknown }[]>();
  for (const m of rows) edits.set(`${m.account_id}\u0000${m.source_message_id}`, []);
  const byAccount = new Map<string, string[]>();
  for (const m of rows)
    byAccount.set(m.account_id, [...(byAccount.get(m.account_id) ?? []), m.source_message_id]);
  for (const [accountId, sourceIds] of byAccount) {
    for (const part of chunked(sourceIds)) {
      const events = await db
        .selectFrom('message_events')
        .select(['target_source_message_id', 'occurred_at', 'payload', 'kind'])
        .where('account_id', '=', accountId)
        .where('kind', '=', 'edit')
        .where('target_source_message_id', 'in', part)
        .orderBy('occurred_at')
        .execute();
      for (const e of events)
        edits.get(`${accountId}\u0000${e.target_source_message_id}`)?.push({
          at: iso(e.occurred_at),
          text: readJson<{ text?: unknown }>(e.payload).text,
        });
    }
  }

  const entries: ZipEntry[] = [];
  const files = new Set<string>();
  const messages: ExportedMessage[] = rows.map((m) => {
    const file = media.get(m.id)?.[0];
    let name: string | undefined;
    if (file?.state === 'stored' && file.sha256) {
      name = `media/${m.id}/${safeName(file.file_name ?? file.sha256)}`;
      if (!files.has(name)) {
        files.add(name);
        const sha256 = file.sha256;
        entries.push({ name, data: () => store.blobs.open(sha256) });
      }
    }
    return {
      id: m.id,
      chatId: m.chat_id,
      sourceMessageId: m.source_message_id,
      from: m.from_me ? 'account' : 'person',
      sentAt: iso(m.sent_at),
      type: m.type,
      text: m.text ?? undefined,
      editedAt: iso(m.edited_at),
      deletedAt: iso(m.deleted_at),
      details: m.details === null ? undefined : readJson(m.details),
      edits: edits.get(`${m.account_id}\u0000${m.source_message_id}`) ?? [],
      reactions: (reactions.get(m.id) ?? []).map((r) => ({
        by:
          r.reactor_identity_id && idSet.has(r.reactor_identity_id)
            ? 'person'
            : r.reactor_identity_id
              ? 'someone else'
              : 'account',
        emoji: r.emoji,
        at: iso(r.reacted_at),
      })),
      media: file
        ? {
            file: name,
            mimeType: file.mime_type ?? undefined,
            sizeBytes: file.size_bytes ?? undefined,
            state: file.state,
          }
        : undefined,
    };
  });

  // Reactions the person gave to others' messages: the emoji and when, not the others' messages.
  const given = await db
    .selectFrom('message_reactions')
    .select(['message_id', 'emoji', 'reacted_at'])
    .where('reactor_identity_id', 'in', ids)
    .execute();
  const links = await db
    .selectFrom('record_links')
    .innerJoin('crm_connections', 'crm_connections.id', 'record_links.connection_id')
    .select([
      'crm_connections.name as connection',
      'crm_connections.kind',
      'record_type',
      'record_id',
      'record_name',
      'linked_at',
    ])
    .where('identity_id', 'in', ids)
    .execute();

  const document = {
    exportedAt: new Date().toISOString(),
    phone: e164,
    identities: identities.map((i) => ({ ...toIdentity(i), firstSeenAt: iso(i.created_at) })),
    chats: chats.map((c) => ({
      id: c.id,
      kind: c.kind,
      title: direct.has(c.id) ? undefined : (c.title ?? undefined),
      account: c.account_phone,
      holds: direct.has(c.id) ? 'every message of the chat' : "the person's own messages",
    })),
    messages,
    reactionsGiven: given
      .filter((r) => !messageIds.includes(r.message_id))
      .map((r) => ({ messageId: r.message_id, emoji: r.emoji, at: iso(r.reacted_at) })),
    recordLinks: links.map((l) => ({
      connection: l.connection,
      crm: l.kind,
      recordType: l.record_type,
      recordId: l.record_id,
      recordName: l.record_name ?? undefined,
      linkedAt: iso(l.linked_at),
    })),
  };
  entries.unshift({
    name: 'person.json',
    data: Buffer.from(`${JSON.stringify(document, null, 2)}\n`, 'utf8'),
  });
  return { entries, messages: messages.length, files: files.size };
}

function chunked<T>(values: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < values.length; i += CHUNK) out.push(values.slice(i, i + CHUNK));
  return out;
}

async function byMessage<T extends 'media' | 'message_reactions'>(
  db: Kysely<Database>,
  table: T,
  messageIds: readonly string[],
) {
  const out = new Map<string, Database[T][]>();
  for (const part of chunked(messageIds)) {
    const rows = (await db
      .selectFrom(table as 'media')
      .selectAll()
      .where('message_id', 'in', part)
      .execute()) as unknown as Database[T][];
    for (const row of rows) out.set(row.message_id, [...(out.get(row.message_id) ?? []), row]);
  }
  return out;
}

/** A file name safe inside the zip: no folders, no control characters. */
function safeName(name: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
  const base = path.posix.basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f]/g, '');
  return base === '' || base === '.' || base === '..' ? 'file' : base.slice(0, 200);
}
