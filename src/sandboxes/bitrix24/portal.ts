/**
 * The portal's state: CRM entities, timeline comments, Disk files, settings. Filled in by the CRM
 * methods' work; the frame only creates, resets and hands it to handlers. Ids are kept as numbers
 * here; each method's view turns them into what the real API answers (strings in the older
 * `crm.contact.*` answers, numbers in `crm.item.*`, add results and `crm.duplicate.findbycomm`).
 */
export interface PortalOptions {
  /** Milliseconds since the epoch. */
  clock: () => number;
  /** Where the portal answers (file links are built on it); the frame sets it once it listens. */
  baseUrl?: string;
  /**
   * The largest file a timeline comment takes inline in `FILES` (unverified: the docs give no per-file
   * limit for `crm.timeline.comment.add`; the sandbox takes this stricter default so that large files
   * must go through Disk).
   */
  inlineFileLimit?: number;
  /**
   * How long an upload URL stays good (unverified: the docs give no lifetime; the real token carries
   * the caller's access token, which lives an hour). Default 5 minutes, the stricter choice.
   */
  uploadUrlTtlMs?: number;
}

export type EntityKind = 'contact' | 'lead' | 'deal' | 'company';
export type CommType = 'PHONE' | 'EMAIL';

/** A multifield value (crm_multifield: ID, TYPE_ID, VALUE, VALUE_TYPE); VALUE is kept as entered. */
export interface Multifield {
  id: number;
  typeId: CommType;
  value: string;
  valueType: string;
}

export interface CrmEntity {
  kind: EntityKind;
  id: number;
  /** Scalar fields by their API name (NAME, LAST_NAME, TITLE, COMPANY_ID, CONTACT_ID, STAGE_ID, …). */
  fields: Record<string, string>;
  multifields: Multifield[];
  assignedById: number;
  createdById: number;
  modifiedById: number;
  createdAt: number;
  modifiedAt: number;
}

export interface TimelineComment {
  id: number;
  entityType: EntityKind;
  entityId: number;
  comment: string;
  authorId: number;
  createdAt: number;
  /** Disk file ids, in the order they were attached. */
  fileIds: number[];
}

export interface DiskStorage {
  id: number;
  name: string;
  /** `common` (the shared drive), `user`, or `group`. */
  entityType: string;
  entityId: string;
  rootFolderId: number;
}

export interface DiskFolder {
  id: number;
  name: string;
  storageId: number;
  parentId: number | null;
}

export interface DiskFile {
  id: number;
  name: string;
  storageId: number;
  folderId: number;
  content: Buffer;
  createdBy: number;
  createdAt: number;
  /** Set once disk.file.markdeleted moved it to the trash (DELETED_TYPE 3). */
  deletedAt?: number;
  deletedBy?: number;
}

/**
 * A two-step Disk upload the portal has promised: disk.folder.uploadfile without `fileContent`
 * answered an upload URL carrying `token`; a POST of the file to it lands here.
 */
export interface PendingUpload {
  token: string;
  folderId: number;
  /** `data.NAME` if the first call gave one; else the uploaded file's own name. */
  name?: string;
  generateUniqueName: boolean;
  userId: number;
  expiresAt: number;
}

/**
 * A portal user (b_user), the fields user.get and user.current show (user/index.md lists them; the
 * sandbox keeps those a card and a comment's author need).
 */
export interface PortalUser {
  id: number;
  name: string;
  lastName: string;
  secondName: string;
  email: string;
  /** false for a dismissed employee (user.get's `ACTIVE` filter). */
  active: boolean;
  workPosition: string;
  userType: 'employee' | 'extranet' | 'email';
  registeredAt: number;
  departments: number[];
}

export interface SeedUser {
  /** A fixed id (say, to match a webhook's user); default the next free one. */
  id?: number;
  name?: string;
  lastName?: string;
  secondName?: string;
  email?: string;
  active?: boolean;
  workPosition?: string;
  userType?: PortalUser['userType'];
}

/** 1 classic (with leads), 2 simple (no leads): crm.enum.settings.mode via crm-settings-mode-get.md. */
export type CrmMode = 1 | 2;

export interface SeedPerson {
  name?: string;
  lastName?: string;
  /** A lead's TITLE (contacts have none). */
  title?: string;
  /** A lead's COMPANY_TITLE: the company's name as the person gave it, before any company exists. */
  companyTitle?: string;
  phones?: (string | { value: string; valueType?: string })[];
  emails?: string[];
  companyId?: number;
  assignedById?: number;
}

export interface SeedDeal {
  title: string;
  contactId?: number;
  companyId?: number;
  stageId?: string;
  opportunity?: number;
  assignedById?: number;
  closed?: boolean;
}

const DEFAULT_INLINE_FILE_LIMIT = 10 * 1024 * 1024;
/** The user the sandbox's seeds and service objects belong to. */
export const PORTAL_ADMIN = { id: 1, name: 'Sandbox Admin' };

export class Portal {
  mode: CrmMode = 1;
  readonly entities = new Map<EntityKind, Map<number, CrmEntity>>();
  readonly comments = new Map<number, TimelineComment>();
  readonly storages = new Map<number, DiskStorage>();
  readonly folders = new Map<number, DiskFolder>();
  readonly files = new Map<number, DiskFile>();
  readonly users = new Map<number, PortalUser>();
  readonly uploads = new Map<string, PendingUpload>();
  private counters = new Map<string, number>();

  constructor(readonly options: PortalOptions) {
    this.reset();
  }

  now(): number {
    return this.options.clock();
  }

  get baseUrl(): string {
    return (this.options.baseUrl ?? 'http://127.0.0.1').replace(/\/$/, '');
  }

  get inlineFileLimit(): number {
    return this.options.inlineFileLimit ?? DEFAULT_INLINE_FILE_LIMIT;
  }

  reset(): void {
    this.mode = 1;
    for (const kind of ['contact', 'lead', 'deal', 'company'] as const) this.entities.set(kind, new Map());
    this.comments.clear();
    this.storages.clear();
    this.folders.clear();
    this.files.clear();
    this.users.clear();
    this.uploads.clear();
    this.counters.clear();
    this.seedUser({
      id: PORTAL_ADMIN.id,
      name: 'Sandbox',
      lastName: 'Admin',
      email: 'admin@sandbox.test',
      workPosition: 'Administrator',
    });
    // The shared drive, and the service folder where timeline comments' files land (crm-apis.md §3.4:
    // FILES "land on Disk in a service folder"; its name and place are unverified).
    const shared = this.addStorage('Shared drive', 'common', 'shared_files_s1');
    this.addStorage(PORTAL_ADMIN.name, 'user', String(PORTAL_ADMIN.id));
    this.commentFolderId = this.addFolder(shared.rootFolderId, 'CRM comment files').id;
  }

  /** The folder comment files are stored in. */
  commentFolderId = 0;

  nextId(counter: string): number {
    const next = (this.counters.get(counter) ?? 0) + 1;
    this.counters.set(counter, next);
    return next;
  }

  // --- CRM entities ---

  entity(kind: EntityKind, id: number): CrmEntity | undefined {
    return this.entities.get(kind)?.get(id);
  }

  all(kind: EntityKind): CrmEntity[] {
    return [...(this.entities.get(kind)?.values() ?? [])];
  }

  addEntity(
    kind: EntityKind,
    fields: Record<string, string>,
    multifields: Omit<Multifield, 'id'>[],
    userId: number,
    assignedById = userId,
  ): CrmEntity {
    const now = this.now();
    const entity: CrmEntity = {
      kind,
      id: this.nextId(kind),
      fields,
      multifields: multifields.map((m) => ({ ...m, id: this.nextId('multifield') })),
      assignedById,
      createdById: userId,
      modifiedById: userId,
      createdAt: now,
      modifiedAt: now,
    };
    this.entities.get(kind)?.set(entity.id, entity);
    return entity;
  }

  touch(entity: CrmEntity, userId: number): void {
    entity.modifiedAt = this.now();
    entity.modifiedById = userId;
  }

  // --- Timeline comments ---

  commentsOf(entityType: EntityKind, entityId: number): TimelineComment[] {
    return [...this.comments.values()].filter((c) => c.entityType === entityType && c.entityId === entityId);
  }

  // --- Disk ---

  addStorage(name: string, entityType: string, entityId: string): DiskStorage {
    const id = this.nextId('storage');
    const root: DiskFolder = { id: this.nextId('disk-object'), name, storageId: id, parentId: null };
    this.folders.set(root.id, root);
    const storage = { id, name, entityType, entityId, rootFolderId: root.id };
    this.storages.set(id, storage);
    return storage;
  }

  addFolder(parentId: number, name: string): DiskFolder {
    const parent = this.folders.get(parentId);
    if (!parent) throw new Error(`no folder ${parentId}`);
    const folder = { id: this.nextId('disk-object'), name, storageId: parent.storageId, parentId };
    this.folders.set(folder.id, folder);
    return folder;
  }

  /** A Disk file in a folder; the caller has settled its name (disk.ts applies generateUniqueName). */
  addFile(folderId: number, name: string, content: Buffer, userId: number): DiskFile {
    const folder = this.folders.get(folderId);
    if (!folder) throw new Error(`no folder ${folderId}`);
    const file: DiskFile = {
      id: this.nextId('disk-object'),
      name,
      storageId: folder.storageId,
      folderId,
      content,
      createdBy: userId,
      createdAt: this.now(),
    };
    this.files.set(file.id, file);
    return file;
  }

  /** Whether a file in the folder has the name; a trashed one does not count (unverified). */
  nameTaken(folderId: number, name: string): boolean {
    for (const file of this.files.values())
      if (file.folderId === folderId && file.name === name && file.deletedAt === undefined) return true;
    return false;
  }

  get uploadUrlTtlMs(): number {
    return this.options.uploadUrlTtlMs ?? 5 * 60_000;
  }

  /** The pending upload for a token, spent by this (any) attempt; undefined if unknown, spent or expired. */
  takeUpload(token: string): PendingUpload | undefined {
    const pending = this.uploads.get(token);
    if (!pending) return undefined;
    this.uploads.delete(token);
    return pending.expiresAt > this.now() ? pending : undefined;
  }

  /** The file's link as a person opens it (the `/disk/downloadFile/{id}/` shape of crm-timeline-comment-get.md). */
  downloadUrl(file: DiskFile): string {
    return `${this.baseUrl}/disk/downloadFile/${file.id}/?&ncc=1&filename=${encodeURIComponent(file.name)}`;
  }

  showUrl(file: DiskFile): string {
    return `${this.baseUrl}/disk/showFile/${file.id}/?&ncc=1&filename=${encodeURIComponent(file.name)}`;
  }

  // --- Users ---

  user(id: number): PortalUser | undefined {
    return this.users.get(id);
  }

  /** "First Last" as the portal shows a user; `User {id}` for one the sandbox was never told of. */
  userName(id: number): string {
    const user = this.users.get(id);
    const name = user ? [user.name, user.lastName].filter(Boolean).join(' ') : '';
    return name || `User ${id}`;
  }

  // --- Seeding and reading, for tests and the frame's inspection routes ---

  /**
   * A user of the portal, to be the responsible person (`assignedById`) of seeded entities or a
   * webhook's user. An entity may point at a user never seeded: user.get then finds nobody, as it
   * does for a bot or an Open Channels user (user/user-get.md), and the destination must cope.
   */
  seedUser(seed: SeedUser): PortalUser {
    const id = seed.id ?? this.nextId('user');
    if (this.users.has(id)) throw new Error(`user ${id} already exists`);
    // Later ids go past a fixed one.
    while ((this.counters.get('user') ?? 0) < id) this.nextId('user');
    const user: PortalUser = {
      id,
      name: seed.name ?? '',
      lastName: seed.lastName ?? '',
      secondName: seed.secondName ?? '',
      email: seed.email ?? '',
      active: seed.active ?? true,
      workPosition: seed.workPosition ?? '',
      userType: seed.userType ?? 'employee',
      registeredAt: this.now(),
      departments: [1],
    };
    this.users.set(id, user);
    return user;
  }

  seedContact(person: SeedPerson): CrmEntity {
    return this.seedPerson('contact', person);
  }

  seedLead(person: SeedPerson): CrmEntity {
    return this.seedPerson('lead', { title: person.title ?? 'Lead', ...person });
  }

  seedCompany(title: string, assignedById = PORTAL_ADMIN.id): CrmEntity {
    return this.addEntity('company', { TITLE: title }, [], PORTAL_ADMIN.id, assignedById);
  }

  seedDeal(deal: SeedDeal): CrmEntity {
    const fields: Record<string, string> = {
      TITLE: deal.title,
      STAGE_ID: deal.stageId ?? 'NEW',
      CLOSED: deal.closed ? 'Y' : 'N',
      OPPORTUNITY: (deal.opportunity ?? 0).toFixed(2),
      CURRENCY_ID: 'USD',
    };
    if (deal.contactId !== undefined) fields.CONTACT_ID = String(deal.contactId);
    if (deal.companyId !== undefined) fields.COMPANY_ID = String(deal.companyId);
    return this.addEntity('deal', fields, [], PORTAL_ADMIN.id, deal.assignedById ?? PORTAL_ADMIN.id);
  }

  /** Every comment on an entity with its files' names and contents, oldest first. */
  inspectComments(entityType: EntityKind, entityId: number) {
    return this.commentsOf(entityType, entityId)
      .sort((a, b) => a.id - b.id)
      .map((c) => ({
        id: c.id,
        comment: c.comment,
        authorId: c.authorId,
        createdAt: c.createdAt,
        files: c.fileIds.flatMap((id) => {
          const file = this.files.get(id);
          return file
            ? [{ id: file.id, name: file.name, size: file.content.length, content: file.content }]
            : [];
        }),
      }));
  }

  /** Every Disk file outside the comment folder (what was uploaded through disk.*). */
  inspectDiskFiles(): DiskFile[] {
    return [...this.files.values()].filter((f) => f.folderId !== this.commentFolderId);
  }

  private seedPerson(kind: 'contact' | 'lead', person: SeedPerson): CrmEntity {
    const fields: Record<string, string> = {};
    if (person.name !== undefined) fields.NAME = person.name;
    if (person.lastName !== undefined) fields.LAST_NAME = person.lastName;
    if (kind === 'lead') fields.TITLE = person.title ?? 'Lead';
    if (kind === 'lead') fields.STATUS_ID = 'NEW';
    if (kind === 'lead' && person.companyTitle !== undefined) fields.COMPANY_TITLE = person.companyTitle;
    if (person.companyId !== undefined) fields.COMPANY_ID = String(person.companyId);
    const multifields: Omit<Multifield, 'id'>[] = [
      ...(person.phones ?? []).map((p) =>
        typeof p === 'string'
          ? { typeId: 'PHONE' as const, value: p, valueType: 'WORK' }
          : { typeId: 'PHONE' as const, value: p.value, valueType: p.valueType ?? 'WORK' },
      ),
      ...(person.emails ?? []).map((e) => ({ typeId: 'EMAIL' as const, value: e, valueType: 'WORK' })),
    ];
    return this.addEntity(kind, fields, multifields, PORTAL_ADMIN.id, person.assignedById ?? PORTAL_ADMIN.id);
  }
}
