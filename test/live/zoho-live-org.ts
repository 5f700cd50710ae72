/**
 * A real Zoho CRM org, reached the way the product reaches one: the connection a user would enter,
 * one sign-in (`ZohoSignIn`) for everything this run does, the product's transport and destination.
 * Records are put in and read back through the v8 API, as a CRM user's tools would; a real org has
 * no inspection routes like the sandbox's /__sandbox/.
 */
import { markerIn } from '../../src/crms/kit/day-marker.js';
import type { CrmRecord, Destination, RecordType } from '../../src/crms/types.js';
import {
  splitZohoInput,
  type ZohoConnectionInput,
  zohoDestination,
  zohoSignIn,
} from '../../src/crms/zoho/connection.js';
import { MODULE_OF, type ZohoList, type ZohoRow } from '../../src/crms/zoho/mapping.js';
import { ZohoTransport } from '../../src/crms/zoho/transport.js';
import type { ConformanceTarget } from '../crms/conformance.js';
import { onCreatedRecords } from './created-records.js';
import { deleteZohoRunRecords, type LiveModule, type MadeRecord } from './zoho-live-cleanup.js';

/** Every record a run makes carries this prefix in its Description, so leftovers can be found by hand. */
export const ZOHO_RUN_TAG_PREFIX = 'wasync-live-';

/** Related lists answer at most 200 a page. */
const PER_PAGE = 200;

type RecordRef = { type: RecordType; id: string };
type ItemResult = { status?: string; code?: string; message?: string; details?: Record<string, unknown> };

/** The real org of a live run: seeding and reading through the v8 API, and the run's cleanup. */
export class ZohoLiveOrg {
  /** `wasync-live-<run id>`: the Description of every record this run makes. */
  readonly tag: string;
  /** A mobile number made from the run's start time, so that no other record is likely to hold it. */
  readonly runPhone: string;
  /** The product's destination for the connection; the contacts and leads it creates are tracked. */
  readonly destination: Destination;
  readonly transport: ZohoTransport;
  private made: MadeRecord[] = [];
  /** Leads this run converted: Zoho's API no longer shows them, so deleting them may not work. */
  private converted: MadeRecord[] = [];

  private constructor(
    readonly connection: ZohoConnectionInput,
    startedAt: number,
  ) {
    const { settings, secrets } = splitZohoInput(connection);
    const signIn = zohoSignIn(settings, secrets);
    this.transport = new ZohoTransport(signIn);
    this.tag = `${ZOHO_RUN_TAG_PREFIX}${startedAt.toString(36)}`;
    this.runPhone = `+551197${String(startedAt % 10_000_000).padStart(7, '0')}`;
    this.destination = onCreatedRecords(zohoDestination(settings, signIn), (record) =>
      this.tagCreated(record),
    );
  }

  /** Signs in, failing here with the accounts server's reason when it cannot. */
  static async open(connection: ZohoConnectionInput): Promise<ZohoLiveOrg> {
    const org = new ZohoLiveOrg(connection, Date.now());
    await org.transport.apiDomain();
    return org;
  }

  /** A contact or lead, made as a CRM user makes one (Create Records), the phone spelled as given. */
  async seed(
    type: RecordType,
    fields: { firstName?: string; lastName: string; phone: string },
  ): Promise<string> {
    return this.create(MODULE_OF[type], {
      ...(fields.firstName === undefined ? {} : { First_Name: fields.firstName }),
      Last_Name: fields.lastName,
      Phone: fields.phone,
      // The run's own company: converting the lead makes (or finds) an account by this name, and
      // one the run made is then deleted without touching an account of the org's.
      ...(type === 'lead' ? { Company: this.tag } : {}),
    });
  }

  /** A deal on a contact, as a salesperson opens one: its name, stage and closing date are mandatory. */
  async seedDeal(
    contactId: string,
    fields: { name: string; stage: string; amount?: number },
  ): Promise<string> {
    return this.create('Deals', {
      Deal_Name: fields.name,
      Stage: fields.stage,
      Closing_Date: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      Contact_Name: { id: contactId },
      ...(fields.amount === undefined ? {} : { Amount: fields.amount }),
    });
  }

  /** A record's notes, newest first (the notes related list), with their title and content. */
  async notesOn(record: RecordRef): Promise<{ id: string; title: string; content: string }[]> {
    const rows = await this.relatedList(`${MODULE_OF[record.type]}/${record.id}/Notes`, [
      'Note_Title',
      'Note_Content',
    ]);
    return rows.map((row) => ({
      id: String(row.id),
      title: String(row.Note_Title ?? ''),
      content: String(row.Note_Content ?? ''),
    }));
  }

  /** Names of the files attached to a record. */
  async filesOn(record: RecordRef): Promise<string[]> {
    const rows = await this.relatedList(`${MODULE_OF[record.type]}/${record.id}/Attachments`, ['File_Name']);
    return rows.map((row) => String(row.File_Name ?? ''));
  }

  conformanceTarget(): ConformanceTarget {
    return {
      destination: this.destination,
      seed: (type, fields) => this.seed(type, fields),
      deleteRecord: (record) => this.deleteRecord(record),
      convertLead: (id) => this.convertLead(id),
      // A day is a note carrying its marker; the text is the note's content.
      transcriptsOn: async (record) =>
        (await this.notesOn(record)).map((note) => note.content).filter((content) => markerIn(content)),
      duplicatesOn: (record) => this.duplicatesOn(record),
      filesOn: (record) => this.filesOn(record),
      // No faults: a real org cannot be made to fail on cue.
    };
  }

  /** Deletes a record this run made, as a user deleting it would (Delete Records); the cleanup then skips it. */
  async deleteRecord(record: RecordRef): Promise<void> {
    const module = MODULE_OF[record.type];
    const [result] = await this.deleteRecords(module, [record.id]);
    if (result?.status !== 'success')
      throw new Error(`Zoho did not delete ${module} ${record.id}: ${JSON.stringify(result)}`);
    this.made = this.made.filter((made) => made.id !== record.id);
  }

  /**
   * Converts a lead as a user would (Convert Lead, `POST /Leads/{id}/actions/convert`), into a new
   * contact and the account of its company; both are then the run's to delete. The lead stays in the
   * org as converted.
   */
  async convertLead(id: string): Promise<void> {
    const answer = await this.transport.request<{ data?: ItemResult[] }>(
      'POST',
      `Leads/${id}/actions/convert`,
      {
        json: { data: [{ overwrite: false }] },
      },
    );
    const result = answer.body?.data?.[0];
    if (result?.status !== 'success')
      throw new Error(`Zoho did not convert lead ${id}: ${JSON.stringify(result)}`);
    this.made = this.made.filter((made) => made.id !== id);
    this.converted.push({ module: 'Leads', id });
    for (const module of ['Contacts', 'Accounts', 'Deals'] as const) {
      const made = madeId(result.details?.[module]);
      if (made !== undefined) this.made.push({ module, id: made });
    }
  }

  /** Notes beyond one per day: a second note carrying a day's marker, or a note carrying none. */
  async duplicatesOn(record: RecordRef): Promise<string[]> {
    const seen = new Map<string, number>();
    const problems: string[] = [];
    for (const note of await this.notesOn(record)) {
      const marker = markerIn(note.content);
      if (marker === undefined) problems.push(`note ${note.id} carries no day marker`);
      else seen.set(marker, (seen.get(marker) ?? 0) + 1);
    }
    for (const [marker, count] of seen) if (count > 1) problems.push(`${count} notes carry ${marker}`);
    return problems;
  }

  /**
   * Deletes, by id, every record this run made so far and the notes and attachments on them; throws
   * naming what it could not delete. A converted lead that stays is only warned of.
   */
  async cleanUp(): Promise<void> {
    const { problems, stayed } = await deleteZohoRunRecords(this.transport, this.made, this.converted);
    this.made = [];
    this.converted = [];
    if (stayed.length > 0) {
      console.warn(
        `The live run converted ${stayed.join(', ')}; Zoho's API did not delete the converted lead(s), which stay under Converted Leads (README, "Tests").`,
      );
    }
    if (problems.length > 0) {
      throw new Error(
        `The live run could not delete ${problems.length} thing(s) it made; delete them by hand (README, "Tests"): ${problems.join('; ')}`,
      );
    }
  }

  /** Create Records, one record; remembered for the cleanup before anything else can fail. */
  private async create(module: LiveModule, fields: Record<string, unknown>): Promise<string> {
    const answer = await this.transport.request<{ data?: ItemResult[] }>('POST', module, {
      json: { data: [{ ...fields, Description: this.tag }] },
      perItem: true,
    });
    const result = answer.body?.data?.[0];
    const id = result?.details?.id;
    if (result?.status !== 'success' || typeof id !== 'string')
      throw new Error(`Zoho did not create the ${module} record: ${JSON.stringify(result)}`);
    this.made.push({ module, id });
    return id;
  }

  private async deleteRecords(module: LiveModule, ids: string[]): Promise<ItemResult[]> {
    const answer = await this.transport.request<{ data?: ItemResult[] }>('DELETE', module, {
      query: { ids: ids.join(',') },
      perItem: true,
    });
    return answer.body?.data ?? [];
  }

  /** Every row of a related list; 204 when it has none. */
  private async relatedList(path: string, fields: string[]): Promise<ZohoRow[]> {
    const rows: ZohoRow[] = [];
    for (let page = 1; ; page++) {
      const answer = await this.transport.request<ZohoList>('GET', path, {
        query: { fields: ['id', ...fields].join(','), page, per_page: PER_PAGE },
      });
      rows.push(...(answer.body?.data ?? []));
      if (!answer.body?.info?.more_records) return rows;
    }
  }

  /** A record the destination created: remembered for the cleanup, and tagged like a seeded one. */
  private async tagCreated(record: CrmRecord): Promise<void> {
    const module = MODULE_OF[record.type];
    this.made.push({ module, id: record.id });
    await this.transport.request('PUT', `${module}/${record.id}`, {
      json: { data: [{ Description: this.tag }] },
    });
  }
}

/**
 * The id of a record a conversion made: `{name, id}` as the sandbox answers (unverified), or the id
 * alone as Zoho's v2 "Convert Lead" page shows it.
 */
function madeId(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  const id = (value as { id?: unknown } | null | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}
