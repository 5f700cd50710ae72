/**
 * A real Bitrix24 portal, reached the way the product reaches one: the webhook connection a user would
 * enter, the product's destination over it, and the portal's bucket shared by the destination and the
 * suite's own calls. Records are put in and read back through the REST API with plain fetch
 * (`LivePortalRest`), as a person's script would; a real portal has no inspection routes like the
 * sandbox's /__sandbox/.
 */
import {
  type Bitrix24ConnectionInput,
  bitrix24Access,
  bitrix24Destination,
  splitBitrix24Input,
} from '../../src/crms/bitrix24/connection.js';
import { bitrix24Budget, bucketKey } from '../../src/crms/bitrix24/limits.js';
import { entityIdOf, recordIdOf } from '../../src/crms/bitrix24/mapping.js';
import { OperatingTimes } from '../../src/crms/bitrix24/operating-time.js';
import { parseWebhookUrl } from '../../src/crms/bitrix24/sign-in.js';
import { markerIn } from '../../src/crms/kit/day-marker.js';
import { InMemoryBucketStore, LeakyBucketLimiter } from '../../src/crms/kit/leaky-bucket.js';
import type { CrmRecord, Destination, RecordType } from '../../src/crms/types.js';
import { writtenObjectsOf } from '../../src/crms/written.js';
import type { ConformanceTarget } from '../crms/conformance.js';
import {
  deleteBitrix24RunRecords,
  LIVE_ORIGINATOR,
  type LiveRecord,
  leftoverRecords,
} from './bitrix24-live-cleanup.js';
import { isGone, LivePortalRest } from './bitrix24-live-rest.js';
import { onCreatedRecords } from './created-records.js';

/** A comment as crm.timeline.comment.list answers it: FILES keyed by file id (crm-timeline-comment-list.md). */
interface CommentRow {
  ID: string;
  COMMENT?: string;
  FILES?: Record<string, { name?: string }> | unknown[];
}

/** The real portal of a live run: seeding and reading through the REST API, and the run's cleanup. */
/**
 * The portal's id of a record as wasync names it: wasync names a lead L_{id}, since the portal numbers
 * contacts and leads apart (src/crms/bitrix24/mapping.ts); the suite's own bookkeeping keeps the
 * portal's ids.
 */
function portalId(record: { type: RecordType; id: string }): string {
  return entityIdOf(record) ?? record.id;
}

export class Bitrix24LiveOrg {
  /** `wasync-live-<run id>`: the ORIGIN_ID of every record this run makes (its ORIGINATOR_ID is `wasync-live`). */
  readonly tag: string;
  /** A mobile number made from the run's start time, so that no other record is likely to hold it. */
  readonly runPhone: string;
  /** The product's destination for the connection; the records it creates and its Disk files are tracked. */
  readonly destination: Destination;
  readonly rest: LivePortalRest;
  private records: LiveRecord[] = [];
  /** Disk files the destination answered with, by the record they were written for. */
  private diskFiles: { record: LiveRecord; id: string }[] = [];

  private constructor(
    readonly connection: Bitrix24ConnectionInput,
    startedAt: number,
  ) {
    if (connection.auth.flow !== 'webhook') throw new TypeError('the live suite connects through a webhook');
    const { settings, secrets } = splitBitrix24Input(connection);
    const limiter = new LeakyBucketLimiter(
      new InMemoryBucketStore(),
      bucketKey(settings.portalUrl),
      bitrix24Budget(connection.plan),
    );
    const hook = parseWebhookUrl(connection.auth.webhookUrl);
    this.rest = new LivePortalRest(`${hook.portalUrl}/rest/${hook.userId}/${hook.secret}/`, limiter);
    this.tag = `${LIVE_ORIGINATOR}-${startedAt.toString(36)}`;
    this.runPhone = `+551196${String(startedAt % 10_000_000).padStart(7, '0')}`;
    const destination = bitrix24Destination(settings, {
      access: bitrix24Access(settings, secrets, limiter),
      operating: new OperatingTimes(),
    });
    this.destination = this.trackDiskFiles(
      onCreatedRecords(destination, (record) => this.tagCreated(record)),
    );
  }

  /**
   * Reaches the portal (failing here, with its reason, when the webhook does not work), then deletes
   * what an earlier, interrupted run left: its records hold the numbers the conformance suite looks up.
   */
  static async open(connection: Bitrix24ConnectionInput): Promise<Bitrix24LiveOrg> {
    const org = new Bitrix24LiveOrg(connection, Date.now());
    await org.rest.call('user.current');
    const leftovers = await leftoverRecords(org.rest);
    if (leftovers.length > 0) {
      console.warn(
        `An earlier live run left ${leftovers.map((r) => `${r.type} ${r.id}`).join(', ')} (ORIGINATOR_ID ${LIVE_ORIGINATOR}); deleting them and their comments.`,
      );
      org.fail(await deleteBitrix24RunRecords(org.rest, { records: leftovers, diskFiles: [] }));
    }
    return org;
  }

  /** A contact or lead, made as a CRM user makes one, the phone spelled as given. */
  async seed(
    type: RecordType,
    fields: { firstName?: string; lastName: string; phone: string },
  ): Promise<string> {
    const { result } = await this.rest.call<number>(`crm.${type}.add`, {
      fields: {
        ...(fields.firstName === undefined ? {} : { NAME: fields.firstName }),
        LAST_NAME: fields.lastName,
        PHONE: [{ VALUE: fields.phone, VALUE_TYPE: 'WORK' }],
        ...(type === 'lead' ? { TITLE: this.tag } : {}),
        ORIGINATOR_ID: LIVE_ORIGINATOR,
        ORIGIN_ID: this.tag,
      },
    });
    const id = String(result);
    this.records.push({ type, id });
    return recordIdOf(type, id);
  }

  /** A record's timeline comments, oldest first, with the names of the files on each. */
  async commentsOn(record: LiveRecord): Promise<{ id: string; text: string; files: string[] }[]> {
    const rows = await this.rest.all<CommentRow>('crm.timeline.comment.list', {
      filter: { ENTITY_ID: Number(portalId(record)), ENTITY_TYPE: record.type },
      select: ['ID', 'COMMENT', 'FILES'],
      order: { ID: 'ASC' },
    });
    return rows.map((row) => ({
      id: String(row.ID),
      text: String(row.COMMENT ?? ''),
      files: Object.values(row.FILES ?? {}).map((file) => String((file as { name?: unknown }).name ?? '')),
    }));
  }

  conformanceTarget(): ConformanceTarget {
    return {
      destination: this.destination,
      seed: (type, fields) => this.seed(type, fields),
      deleteRecord: (record) => this.deleteRecord(record),
      // A day is a comment carrying its marker; the text is the comment's.
      transcriptsOn: async (record) =>
        (await this.commentsOn(record)).map((c) => c.text).filter((text) => markerIn(text) !== undefined),
      duplicatesOn: (record) => this.duplicatesOn(record),
      filesOn: (record) => this.filesOn(record),
      // No faults: a real portal cannot be made to fail on cue. No conversion either: a lead is
      // converted in the portal's own wizard, which the REST API does not offer.
    };
  }

  /** Deletes a record this run made, as a user deleting it would; the cleanup then skips it. */
  async deleteRecord(record: LiveRecord): Promise<void> {
    const id = portalId(record);
    await this.rest.call(`crm.${record.type}.delete`, { id: Number(id) });
    this.records = this.records.filter((made) => made.type !== record.type || made.id !== id);
  }

  /** Comments beyond one per day: a second comment carrying a day's marker, or a comment carrying none. */
  async duplicatesOn(record: LiveRecord): Promise<string[]> {
    const seen = new Map<string, number>();
    const problems: string[] = [];
    for (const comment of await this.commentsOn(record)) {
      const marker = markerIn(comment.text);
      if (marker === undefined) problems.push(`comment ${comment.id} carries no day marker`);
      else seen.set(marker, (seen.get(marker) ?? 0) + 1);
    }
    for (const [marker, count] of seen) if (count > 1) problems.push(`${count} comments carry ${marker}`);
    return problems;
  }

  /**
   * The files on a record's comments, and the Disk files the destination wrote for it that one of its
   * comments links (by the file's DETAIL_URL), named as they were sent: on Disk a name carries a mark
   * of the file's key (`quote (wasync 3f2a9c1b).pdf`, the destination's disk.ts).
   */
  async filesOn(record: LiveRecord): Promise<string[]> {
    const comments = await this.commentsOn(record);
    const names = comments.flatMap((comment) => comment.files);
    const ids = new Set(this.diskFiles.filter((f) => f.record.id === record.id).map((f) => f.id));
    for (const id of ids) {
      const result = await this.rest
        .call<{ NAME?: string; DETAIL_URL?: string }>('disk.file.get', { id: Number(id) })
        .then(
          (answer) => answer.result,
          (error: unknown) => {
            // Erased since: no longer beside the record.
            if (isGone(error)) return {} as { NAME?: string; DETAIL_URL?: string };
            throw error;
          },
        );
      const url = result.DETAIL_URL;
      if (url && comments.some((comment) => comment.text.includes(url)))
        names.push(String(result.NAME ?? '').replace(/ \(wasync [0-9a-f]{8}\)/, ''));
    }
    return names;
  }

  /**
   * Deletes every record this run made so far, the comments on them and the Disk files the destination
   * answered with; throws naming what it could not delete.
   */
  async cleanUp(): Promise<void> {
    const made = { records: this.records, diskFiles: this.diskFiles.map((file) => file.id) };
    this.records = [];
    this.diskFiles = [];
    this.fail(await deleteBitrix24RunRecords(this.rest, made));
  }

  private fail(problems: string[]): void {
    if (problems.length > 0) {
      throw new Error(
        `The live run could not delete ${problems.length} thing(s); delete them by hand (README, "Tests"): ${problems.join('; ')}`,
      );
    }
  }

  /** A record the destination created: remembered for the cleanup, and tagged like a seeded one. */
  private async tagCreated(record: CrmRecord): Promise<void> {
    const id = portalId(record);
    this.records.push({ type: record.type, id });
    await this.rest.call(`crm.${record.type}.update`, {
      id: Number(id),
      fields: { ORIGINATOR_ID: LIVE_ORIGINATOR, ORIGIN_ID: this.tag },
    });
  }

  /**
   * The destination, with the Disk files it answered remembered: those of uploadAttachment, and those
   * each day's ref names (`writtenObjectsOf`, as an erasure finds them). A Disk file hangs off no
   * record, so the cleanup deletes it by these ids.
   */
  private trackDiskFiles(destination: Destination): Destination {
    return new Proxy(destination, {
      get: (target, property) => {
        if (property === 'uploadAttachment') {
          return async (...args: Parameters<Destination['uploadAttachment']>) => {
            const uploaded = await target.uploadAttachment(...args);
            this.diskFiles.push({ record: args[0].record, id: uploaded.id });
            return uploaded;
          };
        }
        if (property === 'upsertDayTranscripts') {
          return async (...args: Parameters<Destination['upsertDayTranscripts']>) => {
            const results = await target.upsertDayTranscripts(...args);
            results.forEach((result, i) => {
              const record = args[0][i]?.write.record;
              if (!result.ok || !record) return;
              for (const object of writtenObjectsOf(result.ref))
                if (object.kind === 'file') this.diskFiles.push({ record, id: object.id });
            });
            return results;
          };
        }
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
  }
}
