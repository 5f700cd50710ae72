/**
 * The mini-CRM card of a Bitrix24 contact or lead, in two batch requests: first the record, its
 * latest timeline comments and (for a contact) its open deals, which need only its id; then what the
 * record points at, its company and its responsible person (and more comments, when wasync's own
 * crowd out people's).
 */
import { markerIn } from '../kit/day-marker.js';
import { noteExcerpt } from '../kit/note-excerpt.js';
import { CrmError, type RecordCard, type RecordType } from '../types.js';
import {
  type Bitrix24Row,
  dateOf,
  ENTITY_OF,
  entityIdOf,
  idOf,
  multifieldValues,
  recordUrl,
  text,
  toCrmRecord,
} from './mapping.js';
import type { Bitrix24Command, Bitrix24Transport, CommandResult } from './transport.js';

const CARD_NOTES = 5;
const TITLE_LENGTH = 80;
const EXCERPT_LENGTH = 200;
/** Comment pages read at most (50 a page: crm-timeline-comment-list.md `start`) to find people's five. */
const COMMENT_PAGES = 10;

/**
 * BBCode tags the portal's timeline writes and shows (the comment's text is BBCode:
 * crm-timeline-comment-add.md `COMMENT`); a card shows the words, not the markup. `[url=…]words[/url]`
 * keeps its words, `[DISK FILE ID=…]` (a file placed in the text) goes.
 */
const BBCODE_TAG =
  /\[\/?(?:b|i|u|s|p|url|img|user|disk|quote|code|list|\*|color|size|font|table|tr|td|th|left|right|center|justify|video|spoiler|icon)(?:[= ][^\]]*)?\]/gi;

export function stripBbcode(value: string): string {
  return value.replace(BBCODE_TAG, '');
}

export async function readCard(
  transport: Bitrix24Transport,
  portalUrl: string,
  record: { type: RecordType; id: string },
): Promise<RecordCard> {
  const entity = ENTITY_OF[record.type];
  const entityId = entityIdOf(record);
  if (entityId === undefined)
    throw new CrmError({
      kind: 'rejected',
      code: 'INVALID_ID',
      message: `${record.id} is not the id of a Bitrix24 ${record.type}`,
    });
  const first: Bitrix24Command[] = [
    { method: `crm.${entity}.get`, params: { id: entityId } },
    commentsCommand(entity, entityId, 0),
  ];
  if (record.type === 'contact')
    // CLOSED "N": open (crm-deal-fields.md has CLOSED, a Y/N char; that every final stage sets it
    // is unverified).
    first.push({
      method: 'crm.deal.list',
      params: {
        filter: { CONTACT_ID: entityId, CLOSED: 'N' },
        select: ['ID', 'TITLE', 'STAGE_ID', 'OPPORTUNITY'],
        order: { DATE_CREATE: 'DESC' },
      },
    });
  const [got, comments, deals] = await transport.batch<unknown>(first);
  const row = recordRow(got, record);

  // What the record points at: its company (a lead may name one in COMPANY_TITLE instead) and its
  // responsible person, both only by id in the record.
  const companyTitle = record.type === 'lead' ? text(row, 'COMPANY_TITLE') : undefined;
  const companyId = companyTitle === undefined ? idOf(row.COMPANY_ID) : undefined;
  const ownerId = idOf(row.ASSIGNED_BY_ID);
  const notes = new CommentPages(comments);
  const second: Bitrix24Command[] = [];
  const ask = (command: Bitrix24Command) => second.push(command) - 1;
  const company = companyId ? ask({ method: 'crm.company.get', params: { id: companyId } }) : undefined;
  const owner = ownerId ? ask({ method: 'user.get', params: { filter: { ID: ownerId } } }) : undefined;
  const more = notes.wanted() ? ask(commentsCommand(entity, entityId, notes.next ?? 0)) : undefined;
  const answers = second.length > 0 ? await transport.batch<unknown>(second) : [];
  if (more !== undefined) notes.add(answers[more]);
  while (notes.wanted() && notes.pages < COMMENT_PAGES)
    notes.add((await transport.batch<unknown>([commentsCommand(entity, entityId, notes.next ?? 0)]))[0]);

  return {
    ...toCrmRecord(row, record.type, portalUrl),
    company: companyTitle ?? (company === undefined ? undefined : companyOf(answers[company])),
    owner: owner === undefined ? undefined : userName(answers[owner]),
    email: multifieldValues(row, 'EMAIL')[0],
    leadStatus: record.type === 'lead' ? text(row, 'STATUS_ID') : undefined,
    openDeals: dealRows(deals).map((deal) => {
      const id = idOf(deal.ID) ?? String(deal.ID);
      const amount = Number(text(deal, 'OPPORTUNITY'));
      return {
        id,
        name: text(deal, 'TITLE') ?? '',
        stage: text(deal, 'STAGE_ID'),
        amount: text(deal, 'OPPORTUNITY') !== undefined && Number.isFinite(amount) ? amount : undefined,
        url: recordUrl(portalUrl, 'deal', id),
      };
    }),
    latestNotes: notes.found.slice(0, CARD_NOTES),
  };
}

/** A page of the record's comments, newest first (order by CREATED, ID or AUTHOR_ID only: the list's page). */
function commentsCommand(entity: string, id: string, start: number): Bitrix24Command {
  return {
    method: 'crm.timeline.comment.list',
    params: {
      filter: { ENTITY_ID: id, ENTITY_TYPE: entity },
      select: ['ID', 'CREATED', 'COMMENT'],
      order: { CREATED: 'DESC', ID: 'DESC' },
      start,
    },
  };
}

/** The record from its get; a refused get is a record the portal no longer has (or never had). */
function recordRow(result: CommandResult | undefined, record: { type: RecordType; id: string }): Bitrix24Row {
  if (result?.ok && typeof result.result === 'object' && result.result !== null)
    return result.result as Bitrix24Row;
  if (result && !result.ok && result.error.kind !== 'rejected') throw result.error;
  throw new CrmError({
    kind: 'rejected',
    code: 'NOT_FOUND',
    message: `Bitrix24 has no ${record.type} ${record.id}`,
    vendorAnswer: result && !result.ok ? result.error.vendorAnswer : undefined,
  });
}

/**
 * People's comments, newest first, from pages read one after another: wasync's own day comments
 * (carrying the day marker) are the chat the rep is looking at already, and may outnumber people's.
 */
class CommentPages {
  readonly found: RecordCard['latestNotes'] = [];
  next: number | undefined;
  pages = 0;

  constructor(first: CommandResult | undefined) {
    this.add(first);
  }

  wanted(): boolean {
    return this.found.length < CARD_NOTES && this.next !== undefined;
  }

  add(result: CommandResult | undefined): void {
    this.pages++;
    const rows = optional(result);
    this.next = result?.ok ? result.next : undefined;
    if (!Array.isArray(rows)) return;
    for (const comment of rows as Bitrix24Row[]) {
      const raw = text(comment, 'COMMENT') ?? '';
      if (markerIn(raw)) continue;
      const plain = stripBbcode(raw);
      const title = plain.split('\n').find((line) => line.trim() !== '') ?? '';
      this.found.push({
        id: idOf(comment.ID) ?? String(comment.ID),
        title: cut(title.trim(), TITLE_LENGTH),
        excerpt: noteExcerpt(plain, EXCERPT_LENGTH),
        createdAt: dateOf(text(comment, 'CREATED')) ?? new Date(0),
      });
    }
  }
}

/**
 * What a read beside the record answered. The card shows what it can: a refused read (a scope the
 * webhook lacks, a company deleted since) leaves its line empty; the portal's passing trouble fails
 * the card, to be asked again, rather than show "no deals" that are there.
 */
function optional(result: CommandResult | undefined): unknown {
  if (!result) return undefined;
  if (!result.ok) {
    if (result.error.kind === 'retryable') throw result.error;
    return undefined;
  }
  return result.result;
}

function dealRows(result: CommandResult | undefined): Bitrix24Row[] {
  const rows = optional(result);
  return Array.isArray(rows) ? (rows as Bitrix24Row[]) : [];
}

function companyOf(result: CommandResult | undefined): string | undefined {
  const company = optional(result);
  if (typeof company !== 'object' || company === null) return undefined;
  return text(company as Bitrix24Row, 'TITLE');
}

/** user.get answers a list; nobody for a bot or an Open Channels user (user-get.md). */
function userName(result: CommandResult | undefined): string | undefined {
  const users = optional(result);
  if (!Array.isArray(users)) return undefined;
  const user = users[0] as Bitrix24Row | undefined;
  if (!user) return undefined;
  const name = [text(user, 'NAME'), text(user, 'LAST_NAME')].filter(Boolean).join(' ');
  return name || undefined;
}

function cut(value: string, length: number): string {
  const chars = [...value];
  return chars.length <= length ? value : `${chars.slice(0, length - 1).join('')}…`;
}
