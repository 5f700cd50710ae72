import type { z } from 'zod';
import type { MessageType } from '../../core/model.js';
import { findUnstorable } from '../../core/storable-text.js';
import type { IngestChat, IngestEvent, IngestItem, IngestMessage } from '../../ingest/types.js';
import {
  type ItemError,
  ItemProblem,
  type ParseContext,
  parseMedia,
  parseParty,
  parseTimestamp,
} from './fields.js';
import {
  type ChatInput,
  type DeleteItemInput,
  type EditItemInput,
  ITEM_SCHEMAS,
  type MessageItemInput,
  type ReactionItemInput,
} from './schema.js';

export {
  ITEM_ERROR_CODES,
  type ItemError,
  type ItemErrorCode,
  ItemProblem,
  type ParseContext,
} from './fields.js';

export type BatchParse = { ok: true; items: IngestItem[] } | { ok: false; errors: ItemError[] };

/** Validates a whole batch; any invalid item fails the batch, and every problem is reported. */
export function parseBatch(items: readonly unknown[], context: ParseContext): BatchParse {
  const errors: ItemError[] = [];
  const parsed: IngestItem[] = [];
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const result = parseItem(item, index, context);
    if ('errors' in result) {
      errors.push(...result.errors);
      return;
    }
    const key = `${result.item.kind === 'message' ? 'm' : 'e'}:${result.item.sourceId}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({
        index,
        id: result.item.sourceId,
        code: 'duplicate_id',
        field: 'id',
        message: `id repeats item ${first} of this batch`,
      });
      return;
    }
    seen.set(key, index);
    parsed.push(result.item);
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, items: parsed };
}

function parseItem(
  item: unknown,
  index: number,
  context: ParseContext,
): { item: IngestItem } | { errors: ItemError[] } {
  const id = isRecord(item) && typeof item.id === 'string' ? item.id : undefined;
  if (!isRecord(item)) {
    return {
      errors: [
        { index, id, code: 'invalid_item', field: undefined, message: 'each item must be a JSON object' },
      ],
    };
  }
  const unstorable = findUnstorable(item);
  if (unstorable) {
    const code = unstorable.kind === 'text' ? 'invalid_text' : 'too_deep';
    const field = unstorable.path === '' ? undefined : unstorable.path;
    return { errors: [{ index, id: storableId(id), code, field, message: unstorable.message }] };
  }
  const kind = item.kind ?? 'message';
  if (typeof kind !== 'string' || !(kind in ITEM_SCHEMAS)) {
    return {
      errors: [
        {
          index,
          id,
          code: 'invalid_field',
          field: 'kind',
          message: 'kind must be message, edit, delete or reaction',
        },
      ],
    };
  }
  const schema = ITEM_SCHEMAS[kind as keyof typeof ITEM_SCHEMAS];
  const checked = schema.safeParse(item);
  if (!checked.success)
    return { errors: checked.error.issues.map((issue) => toItemError(issue, item, index, id)) };
  try {
    return { item: toIngestItem(checked.data, context) };
  } catch (error) {
    if (!(error instanceof ItemProblem)) throw error;
    return { errors: [{ index, id, code: error.code, field: error.field, message: error.message }] };
  }
}

function toItemError(
  issue: z.core.$ZodIssue,
  item: Record<string, unknown>,
  index: number,
  id: string | undefined,
): ItemError {
  const field = issue.path.length > 0 ? issue.path.join('.') : undefined;
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.join(', ');
    return {
      index,
      id,
      code: 'unknown_field',
      field: field ? `${field}.${keys}` : keys,
      message: `unknown field: ${keys}`,
    };
  }
  const missing = issue.code === 'invalid_type' && valueAt(item, issue.path) === undefined;
  return {
    index,
    id,
    code: missing ? 'missing_field' : 'invalid_field',
    field,
    message: missing ? 'required' : issue.message,
  };
}

type ItemInput = MessageItemInput | EditItemInput | DeleteItemInput | ReactionItemInput;

function toIngestItem(input: ItemInput, context: ParseContext): IngestItem {
  if (input.kind === 'edit' || input.kind === 'delete' || input.kind === 'reaction')
    return toEvent(input, context);
  return toMessage(input, context);
}

function toEvent(
  input: EditItemInput | DeleteItemInput | ReactionItemInput,
  context: ParseContext,
): IngestEvent {
  const fromMe = input.fromMe ?? false;
  const sender = input.from === undefined ? undefined : parseParty(input.from, 'from', context);
  if (input.kind === 'reaction' && !fromMe && !sender) {
    throw new ItemProblem('missing_field', 'from', 'a reaction needs `from` unless fromMe is true');
  }
  const event: IngestEvent = {
    kind: input.kind,
    sourceId: input.id,
    target: input.target,
    sender,
    fromMe,
    occurredAt: parseTimestamp(input.timestamp, context),
    text: input.kind === 'edit' ? input.text : undefined,
    emoji: input.kind === 'reaction' ? input.emoji : undefined,
    raw: input.raw ?? input,
  };
  return event;
}

/** Reads a chat: its partner, or its group id, title and participants; throws an ItemProblem. */
export function parseChat(input: ChatInput, field: string, context: ParseContext): IngestChat {
  return input.type === 'direct'
    ? { kind: 'direct', partner: parseParty(input.with, `${field}.with`, context) }
    : {
        kind: 'group',
        groupKey: input.id,
        title: input.title,
        participants: (input.participants ?? []).map((p, i) =>
          parseParty(p, `${field}.participants.${i}`, context),
        ),
      };
}

function toMessage(input: MessageItemInput, context: ParseContext): IngestMessage {
  const fromMe = input.fromMe ?? false;
  const chat = parseChat(input.chat, 'chat', context);
  let sender = input.from === undefined ? undefined : parseParty(input.from, 'from', context);
  if (!fromMe && !sender) {
    if (chat.kind === 'group')
      throw new ItemProblem('missing_field', 'from', 'an inbound group message needs `from`');
    sender = chat.partner;
  }
  const type: MessageType = input.type ?? 'text';
  checkTypeFields(input, type);
  return {
    kind: 'message',
    sourceId: input.id,
    chat,
    sender: fromMe ? undefined : sender,
    fromMe,
    sentAt: parseTimestamp(input.timestamp, context),
    type,
    text: input.text,
    replyTo: input.replyTo,
    details: details(input),
    media: input.media === undefined ? undefined : parseMedia(input.media, context),
    raw: input.raw ?? input,
  };
}

function checkTypeFields(input: MessageItemInput, type: MessageType): void {
  if (type === 'text' && !input.text)
    throw new ItemProblem('missing_field', 'text', 'a text message needs `text`');
  if (type === 'location' && !input.location) {
    throw new ItemProblem('missing_field', 'location', 'a location message needs `location`');
  }
  if (type === 'contacts' && !input.contacts?.length) {
    throw new ItemProblem('missing_field', 'contacts', 'a contacts message needs `contacts`');
  }
}

function details(input: MessageItemInput): Record<string, unknown> | undefined {
  const result: Record<string, unknown> = {};
  if (input.location) result.location = input.location;
  if (input.contacts) result.contacts = input.contacts;
  if (input.forwarded) result.forwarded = true;
  return Object.keys(result).length > 0 ? result : undefined;
}

/** The item's id to name it by in an error, unless the id is itself the bad text. */
function storableId(id: string | undefined): string | undefined {
  return id === undefined || findUnstorable(id) ? undefined : id;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current) && !Array.isArray(current)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
