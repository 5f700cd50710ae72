/**
 * A real Salesforce org, reached the way the product reaches one: the connection a user would enter,
 * one token holder (`SalesforceSignIn`) for everything this run does, the product's transport and
 * destination. Records are put in and read back through the REST API, as a CRM user's tools would;
 * a real org has no inspection routes like the sandbox's /__sandbox/.
 */
import {
  type SalesforceConnectionInput,
  salesforceDestination,
  salesforceSignIn,
  salesforceTransport,
  splitSalesforceInput,
} from '../../src/crms/salesforce/connection.js';
import { related, type SoqlRow, text } from '../../src/crms/salesforce/mapping.js';
import { CHAT_OBJECT } from '../../src/crms/salesforce/setup/index.js';
import type { RefreshTokenStore, SalesforceSignIn } from '../../src/crms/salesforce/sign-in.js';
import { soqlList, soqlString } from '../../src/crms/salesforce/soql.js';
import type { SalesforceTransport } from '../../src/crms/salesforce/transport.js';
import type { CrmRecord, Destination, RecordType } from '../../src/crms/types.js';
import type { ConformanceTarget } from '../crms/conformance.js';
import { onCreatedRecords } from './created-records.js';
import { deleteRunRecords } from './live-cleanup.js';
import { LIVE_VARIABLES } from './live-config.js';
import { queryAll } from './live-query.js';

/** Every contact and lead a run creates carries this prefix in its Title, so leftovers can be found. */
export const RUN_TAG_PREFIX = 'wasync-live-';

/**
 * Records made the way a CRM user makes them. A standard duplicate rule that only alerts still
 * refuses an API save unless the request says to save anyway (REST API Developer Guide, "Duplicate
 * Rule Header"); a user in the UI would click "Save" past the alert.
 */
const SAVE_PAST_DUPLICATE_ALERTS = {
  'Sforce-Duplicate-Rule-Header': 'allowSave=true; includeRecordDetails=false; runAsCurrentUser=true',
};

/** The real org of a live run: seeding and reading through the REST API, and the run's cleanup. */
export class LiveOrg {
  /** `wasync-live-<run id>`: the Title of every contact and lead this run creates. */
  readonly tag: string;
  /** A mobile number made from the run's start time, so that no other record is likely to hold it. */
  readonly runPhone: string;
  /** The product's destination for the connection; the contacts and leads it creates are tagged and deleted. */
  readonly destination: Destination;
  readonly transport: SalesforceTransport;
  private created: { type: RecordType; id: string }[] = [];

  private constructor(
    private readonly connection: SalesforceConnectionInput,
    private readonly refreshTokens: RefreshTokenHolder,
    signIn: SalesforceSignIn,
    startedAt: number,
  ) {
    const { settings } = splitSalesforceInput(connection);
    this.transport = salesforceTransport(settings, signIn);
    this.tag = `${RUN_TAG_PREFIX}${startedAt.toString(36)}`;
    this.runPhone = `+551198${String(startedAt % 10_000_000).padStart(7, '0')}`;
    this.destination = onCreatedRecords(salesforceDestination(settings, signIn), (record) =>
      this.tagCreated(record),
    );
  }

  /** Signs in (failing here, with the org's reason, when it cannot) and warns of an earlier run's leftovers. */
  static async open(connection: SalesforceConnectionInput): Promise<LiveOrg> {
    const refreshTokens = new RefreshTokenHolder(
      connection.auth.flow === 'refresh_token' ? connection.auth.refreshToken : undefined,
    );
    const { settings, secrets } = splitSalesforceInput(connection);
    const signIn = salesforceSignIn(settings, secrets, refreshTokens.store);
    const org = new LiveOrg(connection, refreshTokens, signIn, Date.now());
    await org.transport.instanceUrl();
    await warnOfLeftovers(org.transport, org.tag);
    return org;
  }

  /** The connection as a user would enter it, with the refresh token this run holds now. */
  connectionInput(): SalesforceConnectionInput {
    const { connection } = this;
    return connection.auth.flow === 'refresh_token'
      ? { ...connection, auth: { ...connection.auth, refreshToken: this.refreshTokens.current() } }
      : connection;
  }

  /** Takes over the refresh token another holder of the connection (a wasync store) rotated. */
  adoptRefreshToken(refreshToken: string | undefined): void {
    this.refreshTokens.adopt(refreshToken);
  }

  /** A contact or lead, made as a CRM user makes one, the phone spelled as given. */
  async seed(
    type: RecordType,
    fields: { firstName?: string; lastName: string; phone: string },
  ): Promise<string> {
    const answer = await this.transport.request<{ id: string }>(
      'POST',
      `sobjects/${objectOf(type)}`,
      {
        ...(fields.firstName === undefined ? {} : { FirstName: fields.firstName }),
        LastName: fields.lastName,
        Phone: fields.phone,
        Title: this.tag,
        ...(type === 'lead' ? { Company: 'Acme' } : {}),
      },
      { headers: SAVE_PAST_DUPLICATE_ALERTS },
    );
    this.created.push({ type, id: answer.body.id });
    return answer.body.id;
  }

  chatRecordsOn(recordId: string): Promise<SoqlRow[]> {
    const id = soqlString(recordId);
    return queryAll(
      this.transport,
      `SELECT Id, Chat_Key__c, Transcript__c, Message_Count__c FROM ${CHAT_OBJECT} WHERE Contact__c = ${id} OR Lead__c = ${id}`,
    );
  }

  /** ContentNotes linked to a record, with the start of their text. */
  notesOn(recordId: string): Promise<{ id: string; title: string; preview: string }[]> {
    return notesOn(this.transport, recordId);
  }

  conformanceTarget(): ConformanceTarget {
    return {
      destination: this.destination,
      seed: (type, fields) => this.seed(type, fields),
      deleteRecord: (record) => this.deleteRecord(record),
      transcriptsOn: async (record) =>
        (await this.chatRecordsOn(record.id)).map((row) => text(row, 'Transcript__c') ?? ''),
      duplicatesOn: (record) => this.duplicatesOn(record),
      filesOn: async (record) => filesOn(this.transport, (await this.chatRecordsOn(record.id)).map(idOf)),
    };
  }

  /** Deletes a record this run made, as a user deleting it would; the cleanup then skips it. */
  async deleteRecord(record: { type: RecordType; id: string }): Promise<void> {
    await this.transport.request('DELETE', `sobjects/${objectOf(record.type)}/${record.id}`);
    this.created = this.created.filter((made) => made.id !== record.id);
  }

  /**
   * Notes beyond one per day: a contact's day is a chat record with one note linked to it and to the
   * contact, a lead's day the chat record alone.
   */
  async duplicatesOn(record: { type: RecordType; id: string }): Promise<string[]> {
    const loose = new Set((await this.notesOn(record.id)).map((note) => note.id));
    const problems: string[] = [];
    for (const chat of await this.chatRecordsOn(record.id)) {
      const onChat = (await this.notesOn(idOf(chat))).map((note) => note.id);
      const expected = record.type === 'contact' ? 1 : 0;
      if (onChat.length !== expected)
        problems.push(`${text(chat, 'Chat_Key__c')} has ${onChat.length} notes, not ${expected}`);
      for (const note of onChat) loose.delete(note);
    }
    for (const note of loose) problems.push(`note ${note} is on the record but on no day`);
    return problems;
  }

  /**
   * Deletes, by id, every record this run created so far and what wasync wrote for them; throws
   * naming what it could not delete.
   */
  async cleanUp(): Promise<void> {
    const problems = await deleteRunRecords(this.transport, this.created);
    this.created = [];
    if (problems.length > 0) {
      throw new Error(
        `The live run could not delete ${problems.length} record(s) it made; delete them by hand (README, "Tests"): ${problems.join('; ')}`,
      );
    }
  }

  /** A record the destination created: remembered for the cleanup, and tagged like a seeded one. */
  private async tagCreated(record: CrmRecord): Promise<void> {
    this.created.push({ type: record.type, id: record.id });
    await this.transport.request(
      'PATCH',
      `sobjects/${objectOf(record.type)}/${record.id}`,
      { Title: this.tag },
      { headers: SAVE_PAST_DUPLICATE_ALERTS },
    );
  }
}

const objectOf = (type: RecordType) => (type === 'contact' ? 'Contact' : 'Lead');
const idOf = (row: SoqlRow) => String(row.Id);

/** Names of the files (not notes) linked to the chat records. */
async function filesOn(transport: SalesforceTransport, chatIds: readonly string[]): Promise<string[]> {
  if (chatIds.length === 0) return [];
  const links = await queryAll(
    transport,
    `SELECT ContentDocument.Title, ContentDocument.FileType FROM ContentDocumentLink WHERE LinkedEntityId IN ${soqlList(chatIds)}`,
  );
  // A transcript's note is linked to the chat record too; every note is of file type SNOTE
  // (Object Reference, AttachedContentNote: "All notes have a file type of SNOTE").
  return links
    .filter((link) => related(link, 'ContentDocument', 'FileType') !== 'SNOTE')
    .map((link) => related(link, 'ContentDocument', 'Title') ?? '');
}

async function notesOn(
  transport: SalesforceTransport,
  recordId: string,
): Promise<{ id: string; title: string; preview: string }[]> {
  const links = await queryAll(
    transport,
    `SELECT ContentDocumentId, ContentDocument.FileType FROM ContentDocumentLink WHERE LinkedEntityId = ${soqlString(recordId)}`,
  );
  const noteIds = links
    .filter((link) => related(link, 'ContentDocument', 'FileType') === 'SNOTE')
    .map((link) => String(link.ContentDocumentId));
  if (noteIds.length === 0) return [];
  // TextPreview: the start of the note as text, up to 255 characters (Object Reference, ContentNote
  // and AttachedContentNote; unverified: how it is cut from the HTML the note holds).
  const notes = await queryAll(
    transport,
    `SELECT Id, Title, TextPreview FROM ContentNote WHERE Id IN ${soqlList(noteIds)}`,
  );
  return notes.map((note) => ({
    id: idOf(note),
    title: text(note, 'Title') ?? '',
    preview: text(note, 'TextPreview') ?? '',
  }));
}

/**
 * The run's refresh token, held in memory. An org that rotates refresh tokens spends the one the
 * contributor gave with the first refresh: say so, since the next run then needs a new one.
 */
class RefreshTokenHolder {
  readonly store: RefreshTokenStore = {
    read: async () => this.token,
    write: async (next) => this.adopt(next),
  };
  private token: string | undefined;

  constructor(private readonly initial: string | undefined) {
    this.token = initial;
  }

  current(): string {
    return this.token ?? '';
  }

  adopt(next: string | undefined): void {
    if (next === undefined || next === this.token) return;
    if (this.token === this.initial) {
      console.warn(
        `The org rotated the refresh token: the one this run started with is spent, so a next run needs a new one in ${LIVE_VARIABLES.refreshToken} (README, "Tests").`,
      );
    }
    this.token = next;
  }
}

/** Contacts and leads an earlier run left behind may hold the numbers the conformance suite looks up. */
async function warnOfLeftovers(transport: SalesforceTransport, tag: string): Promise<void> {
  const pattern = soqlString(`${RUN_TAG_PREFIX}%`);
  const leftovers: string[] = [];
  for (const object of ['Contact', 'Lead']) {
    const rows = await queryAll(transport, `SELECT Id, Title FROM ${object} WHERE Title LIKE ${pattern}`);
    leftovers.push(
      ...rows.filter((row) => text(row, 'Title') !== tag).map((row) => `${object} ${idOf(row)}`),
    );
  }
  if (leftovers.length > 0) {
    console.warn(
      `An earlier live run left ${leftovers.join(', ')} (Title starting ${RUN_TAG_PREFIX}); lookups may find them. README, "Tests", says how to delete them.`,
    );
  }
}
