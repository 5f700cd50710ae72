import { beforeEach, describe, expect, it } from 'vitest';
import { contactPage, contactPagePath } from '../../../src/sandboxes/bitrix24/contact-page.js';
import { Bitrix24Error, type MethodContext } from '../../../src/sandboxes/bitrix24/method.js';
import { PORTAL_METHODS, portalMethod } from '../../../src/sandboxes/bitrix24/methods/index.js';
import { Portal } from '../../../src/sandboxes/bitrix24/portal.js';

let now = Date.UTC(2026, 0, 15, 9, 30);
let portal: Portal;
let context: MethodContext;

const call = (method: string, params: Record<string, unknown> = {}) => {
  const definition = PORTAL_METHODS[method];
  if (!definition) throw new Error(`no method ${method}`);
  return definition.handle(params, context);
};

function refusal(method: string, params: Record<string, unknown>): Bitrix24Error {
  try {
    call(method, params);
  } catch (error) {
    if (error instanceof Bitrix24Error) return error;
    throw error;
  }
  throw new Error(`${method} did not refuse`);
}

const b64 = (text: string) => Buffer.from(text).toString('base64');

beforeEach(() => {
  now = Date.UTC(2026, 0, 15, 9, 30);
  portal = new Portal({ clock: () => now, baseUrl: 'http://portal.test', inlineFileLimit: 1024 });
  context = { portal, userId: 1, scopes: ['crm', 'disk', 'user'] };
});

describe('crm.duplicate.findbycomm', () => {
  it('finds phones whatever their formatting and extension, contacts and leads apart, ids as numbers', () => {
    const jane = portal.seedContact({ name: 'Jane', phones: ['+1 (555) 123-4567 ext. 89'] });
    const lead = portal.seedLead({ name: 'Lead', phones: [{ value: '15551234567', valueType: 'MOBILE' }] });
    portal.seedContact({ name: 'Other', phones: ['+1 555 999 0000'] });
    expect(call('crm.duplicate.findbycomm', { type: 'PHONE', values: ['+15551234567'] }).result).toEqual({
      LEAD: [lead.id],
      CONTACT: [jane.id],
    });
    expect(
      call('crm.duplicate.findbycomm', { type: 'PHONE', values: ['1-555-123-4567'], entity_type: 'CONTACT' })
        .result,
    ).toEqual({ CONTACT: [jane.id] });
  });

  it('answers [] when nothing matches and finds emails case-insensitively', () => {
    const jane = portal.seedContact({ name: 'Jane', emails: ['Jane@Example.com'] });
    expect(call('crm.duplicate.findbycomm', { type: 'PHONE', values: ['+15550000000'] }).result).toEqual([]);
    expect(call('crm.duplicate.findbycomm', { type: 'EMAIL', values: [' jane@example.COM'] }).result).toEqual(
      {
        CONTACT: [jane.id],
      },
    );
  });

  it('takes at most 20 values and refuses a missing or unknown type', () => {
    const values = Array.from({ length: 21 }, (_, i) => `+1555000${String(i).padStart(4, '0')}`);
    expect(refusal('crm.duplicate.findbycomm', { type: 'PHONE', values }).status).toBe(400);
    expect(call('crm.duplicate.findbycomm', { type: 'PHONE', values: values.slice(0, 20) }).result).toEqual(
      [],
    );
    expect(refusal('crm.duplicate.findbycomm', { values: ['1'] }).code).toBe(
      'Communication type is not defined',
    );
    expect(refusal('crm.duplicate.findbycomm', { type: 'FAX', values: ['1'] }).code).toContain(
      'not supported',
    );
    expect(refusal('crm.duplicate.findbycomm', { type: 'PHONE' }).code).toBe(
      'Communication values is not defined',
    );
  });

  it('stops at a type with 20 or more duplicates: 20 leads hide contacts', () => {
    for (let i = 0; i < 20; i++) portal.seedLead({ name: `L${i}`, phones: ['+15551234567'] });
    portal.seedContact({ name: 'Jane', phones: ['+15551234567'] });
    const result = call('crm.duplicate.findbycomm', { type: 'PHONE', values: ['15551234567'] })
      .result as Record<string, number[]>;
    expect(Object.keys(result)).toEqual(['LEAD']);
    expect(result.LEAD).toHaveLength(20);
  });
});

describe('contacts and leads', () => {
  it('adds a contact with a MOBILE phone, answers its id as a number, and gets it with ids as strings', () => {
    const id = call('crm.contact.add', {
      fields: {
        NAME: 'Jane',
        LAST_NAME: 'Doe',
        PHONE: [{ VALUE: '+15551234567', VALUE_TYPE: 'MOBILE' }],
        BOGUS: 1,
      },
    }).result;
    expect(typeof id).toBe('number');
    const contact = call('crm.contact.get', { id: String(id) }).result as Record<string, unknown>;
    expect(contact).toMatchObject({
      ID: String(id),
      NAME: 'Jane',
      LAST_NAME: 'Doe',
      ASSIGNED_BY_ID: '1',
      DATE_CREATE: '2026-01-15T09:30:00+00:00',
      HAS_PHONE: 'Y',
    });
    expect(contact.PHONE).toEqual([
      { ID: expect.any(String), VALUE_TYPE: 'MOBILE', VALUE: '+15551234567', TYPE_ID: 'PHONE' },
    ]);
    expect(contact).not.toHaveProperty('BOGUS');
  });

  it('takes FIELDS in either case and no required field; refuses a bad VALUE_TYPE and an unknown id', () => {
    const id = call('crm.contact.add', { FIELDS: { PHONE: [{ VALUE: '+1555' }] } }).result;
    expect(call('crm.contact.get', { id }).result).toMatchObject({
      NAME: null,
      PHONE: [{ VALUE: '+1555', VALUE_TYPE: 'WORK' }],
    });
    expect(
      refusal('crm.contact.add', { fields: { NAME: 'A', PHONE: [{ VALUE: '1', VALUE_TYPE: 'WHATSAPP' }] } })
        .status,
    ).toBe(400);
    expect(portal.all('contact')).toHaveLength(1);
    expect(refusal('crm.contact.get', { id: 404 })).toMatchObject({ code: '', description: 'Not found' });
    expect(refusal('crm.contact.get', { id: 'x' })).toMatchObject({
      code: '',
      description: 'ID is not defined or invalid.',
    });
  });

  it('updates fields and multifields in place and moves DATE_MODIFY', () => {
    const jane = portal.seedContact({ name: 'Jane', phones: ['+1 555 123 4567'] });
    now += 60_000;
    const phoneId = jane.multifields[0]?.id;
    expect(
      call('crm.contact.update', {
        id: jane.id,
        fields: {
          LAST_NAME: 'Doe',
          PHONE: [
            { ID: phoneId, VALUE: '' },
            { VALUE: '+15550001111', VALUE_TYPE: 'MOBILE' },
          ],
        },
      }).result,
    ).toBe(true);
    const contact = call('crm.contact.get', { id: jane.id }).result as Record<string, unknown>;
    expect(contact.LAST_NAME).toBe('Doe');
    expect(contact.DATE_MODIFY).toBe('2026-01-15T09:31:00+00:00');
    expect((contact.PHONE as { VALUE: string }[]).map((p) => p.VALUE)).toEqual(['+15550001111']);
  });

  it('lists 50 a page with total and next; multifields only when selected; phone filter exact', () => {
    for (let i = 0; i < 120; i++)
      portal.seedContact({ name: `C${i}`, phones: [`+1555000${String(i).padStart(4, '0')}`] });
    const first = call('crm.contact.list', { select: ['ID', 'NAME'] });
    expect(first).toMatchObject({ total: 120, next: 50 });
    expect((first.result as unknown[])[0]).toEqual({ ID: '1', NAME: 'C0' });
    const last = call('crm.contact.list', { start: 100 });
    expect(last.next).toBeUndefined();
    expect(last.result as unknown[]).toHaveLength(20);
    expect((last.result as Record<string, unknown>[])[0]).not.toHaveProperty('PHONE');
    const exact = call('crm.contact.list', { filter: { PHONE: '+15550000007' }, select: ['ID', 'PHONE'] });
    expect(exact.result).toEqual([{ ID: '8', PHONE: [expect.objectContaining({ VALUE: '+15550000007' })] }]);
    expect(call('crm.contact.list', { filter: { PHONE: '15550000007' } }).total).toBe(0);
    const desc = call('crm.contact.list', { order: { ID: 'DESC' }, select: ['ID'] });
    expect((desc.result as { ID: string }[])[0]?.ID).toBe('120');
  });

  it('a lead stays a lead in classic mode and is converted into a deal at once in simple mode', () => {
    expect(call('crm.settings.mode.get').result).toBe(1);
    const id = call('crm.lead.add', {
      fields: { TITLE: 'WhatsApp +1555', NAME: 'Jo', PHONE: [{ VALUE: '+1555', VALUE_TYPE: 'MOBILE' }] },
    }).result;
    expect(call('crm.lead.get', { id }).result).toMatchObject({ ID: String(id), STATUS_ID: 'NEW' });
    expect(portal.all('deal')).toHaveLength(0);
    portal.mode = 2;
    expect(call('crm.settings.mode.get').result).toBe(2);
    const converted = call('crm.lead.add', { fields: { NAME: 'Ann', PHONE: [{ VALUE: '+1666' }] } }).result;
    expect(call('crm.lead.get', { id: converted }).result).toMatchObject({ STATUS_ID: 'CONVERTED' });
    expect(call('crm.deal.list', { filter: { LEAD_ID: converted }, select: ['ID', 'TITLE'] }).result).toEqual(
      [{ ID: '1', TITLE: 'Ann' }],
    );
  });
});

describe('deleting contacts and leads', () => {
  it('deletes a contact or lead with its timeline comments and their files, answering true', () => {
    const jane = portal.seedContact({ name: 'Jane', phones: ['+15551234567'] });
    const kept = portal.seedContact({ name: 'Kept' });
    const lead = portal.seedLead({ name: 'Lead' });
    for (const [type, id] of [
      ['contact', jane.id],
      ['contact', kept.id],
      ['lead', lead.id],
    ] as const)
      call('crm.timeline.comment.add', {
        fields: { ENTITY_ID: id, ENTITY_TYPE: type, COMMENT: 'day', FILES: [['a.txt', b64('a')]] },
      });
    const files = portal.files.size;
    expect(call('crm.contact.delete', { id: jane.id }).result).toBe(true);
    expect(call('crm.lead.delete', { ID: String(lead.id) }).result).toBe(true);
    expect(refusal('crm.contact.get', { id: jane.id }).description).toBe('Not found');
    expect(refusal('crm.lead.get', { id: lead.id }).description).toBe('Not found');
    expect(portal.commentsOf('contact', jane.id)).toEqual([]);
    expect(portal.commentsOf('lead', lead.id)).toEqual([]);
    expect(portal.inspectComments('contact', kept.id).map((c) => c.files.length)).toEqual([1]);
    expect(portal.files.size).toBe(files - 2);
    expect(call('crm.duplicate.findbycomm', { type: 'PHONE', values: ['+15551234567'] }).result).toEqual([]);
  });

  it('refuses a missing id and an unknown one as each page documents', () => {
    expect(refusal('crm.contact.delete', {})).toMatchObject({
      status: 400,
      code: '',
      description: 'ID is not defined or invalid.',
    });
    expect(refusal('crm.contact.delete', { id: 999 })).toMatchObject({
      status: 400,
      code: 'ERROR_CORE',
      description: 'Element not found',
    });
    expect(refusal('crm.lead.delete', { id: 999 })).toMatchObject({
      status: 400,
      code: '',
      description: 'Not found',
    });
  });
});

describe('deals and crm.item.list', () => {
  it('lists a contact’s deals newest first', () => {
    const jane = portal.seedContact({ name: 'Jane' });
    portal.seedDeal({ title: 'Old', contactId: jane.id });
    now += 1000;
    portal.seedDeal({ title: 'New', contactId: jane.id });
    portal.seedDeal({ title: 'Other' });
    const deals = call('crm.deal.list', {
      filter: { CONTACT_ID: jane.id },
      order: { DATE_CREATE: 'DESC' },
      select: ['ID', 'TITLE'],
    });
    expect(deals.result).toEqual([
      { ID: '2', TITLE: 'New' },
      { ID: '1', TITLE: 'Old' },
    ]);
  });

  it('answers items with camelCase fields and numeric ids', () => {
    const company = portal.seedCompany('Acme');
    const jane = portal.seedContact({
      name: 'Jane',
      lastName: 'Doe',
      companyId: company.id,
      phones: ['+1555'],
    });
    const answer = call('crm.item.list', {
      entityTypeId: 3,
      filter: { id: jane.id },
      select: ['id', 'name', 'companyId', 'assignedById', 'fm'],
    });
    expect(answer.total).toBe(1);
    expect(answer.result).toEqual({
      items: [
        {
          id: jane.id,
          name: 'Jane',
          companyId: company.id,
          assignedById: 1,
          fm: [{ id: expect.any(Number), typeId: 'PHONE', valueType: 'WORK', value: '+1555' }],
        },
      ],
    });
    const all = call('crm.item.list', { entityTypeId: 3 });
    expect((all.result as { items: Record<string, unknown>[] }).items[0]).toMatchObject({
      id: jane.id,
      lastName: 'Doe',
      createdTime: '2026-01-15T09:30:00+00:00',
    });
    expect(refusal('crm.item.list', { entityTypeId: 3, filter: { nope: 1 } }).code).toBe('INVALID_ARG_VALUE');
    expect(refusal('crm.item.list', { entityTypeId: 3, order: { id: 'UP' } }).code).toBe('INVALID_ARG_VALUE');
    expect(refusal('crm.item.list', { entityTypeId: 77 }).code).toBe('NOT_FOUND');
    const leadId = portal.seedLead({ name: 'Lee' }).id;
    expect(call('crm.item.list', { entityTypeId: 1, select: ['id', 'stageId'] }).result).toEqual({
      items: [{ id: leadId, stageId: 'NEW' }],
    });
  });
});

describe('timeline comments', () => {
  it('adds a comment with files and lists them back with ids and links', () => {
    const jane = portal.seedContact({ name: 'Jane' });
    const id = call('crm.timeline.comment.add', {
      fields: {
        ENTITY_ID: jane.id,
        ENTITY_TYPE: 'contact',
        COMMENT: 'Chat 2026-01-15',
        FILES: [
          ['chat.txt', b64('hello')],
          ['a.jpg', b64('jpg')],
        ],
      },
    }).result;
    expect(typeof id).toBe('number');
    const comment = call('crm.timeline.comment.get', { id }).result as Record<string, unknown>;
    expect(comment).toMatchObject({
      ID: String(id),
      ENTITY_ID: String(jane.id),
      ENTITY_TYPE: 'contact',
      AUTHOR_ID: '1',
      COMMENT: 'Chat 2026-01-15',
    });
    const files = Object.values(comment.FILES as Record<string, Record<string, unknown>>);
    expect(files.map((f) => [f.name, f.size, f.type])).toEqual([
      ['chat.txt', 5, 'file'],
      ['a.jpg', 3, 'image'],
    ]);
    expect(files[0]?.urlDownload).toMatch(/^http:\/\/portal\.test\/disk\/downloadFile\/\d+\//);
    const list = call('crm.timeline.comment.list', {
      filter: { ENTITY_ID: jane.id, ENTITY_TYPE: 'contact' },
      select: ['ID', 'FILES'],
    });
    expect(list.total).toBe(1);
    expect(Object.keys((list.result as Record<string, unknown>[])[0] ?? {})).toEqual(['ID', 'FILES']);
    expect(portal.inspectComments('contact', jane.id)[0]?.files.map((f) => f.content.toString())).toEqual([
      'hello',
      'jpg',
    ]);
  });

  it('updates in place: FILES replaces the old files, an empty array removes them', () => {
    const jane = portal.seedContact({ name: 'Jane' });
    const id = call('crm.timeline.comment.add', {
      fields: { ENTITY_ID: jane.id, ENTITY_TYPE: 'contact', COMMENT: 'v1', FILES: [['1.txt', b64('1')]] },
    }).result;
    expect(
      call('crm.timeline.comment.update', { id, fields: { COMMENT: 'v2', FILES: [['2.txt', b64('2')]] } })
        .result,
    ).toBe(id);
    expect(portal.inspectComments('contact', jane.id)).toMatchObject([
      { comment: 'v2', files: [{ name: '2.txt' }] },
    ]);
    call('crm.timeline.comment.update', { id, fields: { COMMENT: 'v3' } });
    expect(portal.inspectComments('contact', jane.id)[0]?.files).toHaveLength(1);
    call('crm.timeline.comment.update', { id, fields: { COMMENT: 'v3', FILES: [] } });
    expect(call('crm.timeline.comment.get', { id }).result).toMatchObject({ COMMENT: 'v3', FILES: {} });
    expect(portal.files.size).toBe(0);
    expect(call('crm.timeline.comment.delete', { id }).result).toBeNull();
    expect(refusal('crm.timeline.comment.get', { id }).description).toBe('Not found.');
  });

  it('refuses what the docs refuse', () => {
    const jane = portal.seedContact({ name: 'Jane' });
    const base = { ENTITY_ID: jane.id, ENTITY_TYPE: 'contact' };
    expect(refusal('crm.timeline.comment.add', { fields: { ...base, COMMENT: ' ' } }).code).toBe(
      'INVALID_ARG_VALUE',
    );
    expect(refusal('crm.timeline.comment.add', { FIELDS: { ...base, COMMENT: 'x' } }).code).toBe('100');
    expect(
      refusal('crm.timeline.comment.add', { fields: { ...base, ENTITY_ID: 99, COMMENT: 'x' } }).code,
    ).toBe('OWNER_NOT_FOUND');
    expect(
      refusal('crm.timeline.comment.add', {
        fields: { ...base, COMMENT: 'x', FILES: [['a.txt', 'not base64!']] },
      }).status,
    ).toBe(400);
    const big = Buffer.alloc(2048).toString('base64');
    expect(
      refusal('crm.timeline.comment.add', { fields: { ...base, COMMENT: 'x', FILES: [['big.bin', big]] } })
        .status,
    ).toBe(400);
    expect(portal.comments.size).toBe(0);
    expect(refusal('crm.timeline.comment.list', { filter: { ENTITY_ID: jane.id } }).status).toBe(400);
    expect(refusal('crm.timeline.comment.list', { filter: base, order: { COMMENT: 'ASC' } }).status).toBe(
      400,
    );
  });
});

describe('disk', () => {
  it('uploads past the inline limit into a folder and reads the file back', () => {
    const storages = call('disk.storage.getlist').result as {
      ID: string;
      ROOT_OBJECT_ID: string;
      ENTITY_TYPE: string;
    }[];
    const shared = storages.find((s) => s.ENTITY_TYPE === 'common');
    const folderId = Number(shared?.ROOT_OBJECT_ID);
    const big = Buffer.alloc(4096, 7);
    const params = {
      id: folderId,
      data: { NAME: 'video.mp4' },
      fileContent: ['video.mp4', big.toString('base64')],
    };
    const file = call('disk.folder.uploadfile', params).result as Record<string, unknown>;
    expect(file).toMatchObject({
      NAME: 'video.mp4',
      SIZE: '4096',
      PARENT_ID: String(folderId),
      TYPE: 'file',
    });
    expect(typeof file.ID).toBe('number');
    expect(refusal('disk.folder.uploadfile', params).status).toBe(400);
    const again = call('disk.folder.uploadfile', { ...params, generateUniqueName: true }).result as Record<
      string,
      unknown
    >;
    expect(again.NAME).toBe('video (1).mp4');
    expect(call('disk.file.get', { id: file.ID }).result).toMatchObject({
      ID: String(file.ID),
      FILE_ID: String(file.ID),
      DELETED_TYPE: '0',
      DELETED_BY: '0',
      GLOBAL_CONTENT_VERSION: '1',
      DOWNLOAD_URL: file.DOWNLOAD_URL,
    });
    const viaStorage = call('disk.storage.uploadfile', {
      id: Number(shared?.ID),
      data: { NAME: 'x.pdf' },
      fileContent: ['x.pdf', b64('pdf')],
    });
    expect(viaStorage.result).toMatchObject({ NAME: 'x.pdf', PARENT_ID: String(folderId) });
    expect(portal.inspectDiskFiles().map((f) => f.name)).toEqual(['video.mp4', 'video (1).mp4', 'x.pdf']);
    expect(
      refusal('disk.folder.uploadfile', { id: 9999, data: { NAME: 'a' }, fileContent: ['a', ''] }).code,
    ).toBe('ERROR_NOT_FOUND');
    expect(refusal('disk.folder.uploadfile', { id: folderId, fileContent: ['a', ''] }).code).toBe(
      'DISK_BASE_SERVICE_22001',
    );
    expect(portalMethod('disk.folder.uploadFile')).toBe(PORTAL_METHODS['disk.folder.uploadfile']);
    expect(portalMethod('disk.file.markDeleted')).toBe(PORTAL_METHODS['disk.file.markdeleted']);
    expect(PORTAL_METHODS['disk.file.get']?.scope).toBe('disk');
  });
});

describe('reading several records by id in one call', () => {
  it('crm.contact.list and crm.lead.list take @ID with a list, select PHONE by name, and order', () => {
    const ids = [0, 1, 2, 3].map(
      (i) => portal.seedContact({ name: `C${i}`, phones: [`+1555000000${i}`] }).id,
    );
    const answer = call('crm.contact.list', {
      filter: { '@ID': [ids[3], ids[1], 999] },
      select: ['ID', 'NAME', 'PHONE'],
      order: { ID: 'DESC' },
    });
    expect(answer.total).toBe(2);
    expect(answer.result).toEqual([
      {
        ID: String(ids[3]),
        NAME: 'C3',
        PHONE: [expect.objectContaining({ VALUE: '+15550000003', TYPE_ID: 'PHONE' })],
      },
      { ID: String(ids[1]), NAME: 'C1', PHONE: [expect.objectContaining({ VALUE: '+15550000001' })] },
    ]);
    expect(
      (
        call('crm.contact.list', { FILTER: { '!@ID': [ids[0]] }, SELECT: ['ID'] }).result as { ID: string }[]
      ).map((c) => c.ID),
    ).toEqual(ids.slice(1).map(String));
    const leads = [portal.seedLead({ name: 'A' }).id, portal.seedLead({ name: 'B' }).id];
    expect(
      call('crm.lead.list', {
        filter: { '@ID': leads.map(String) },
        select: ['ID', 'PHONE'],
        order: { ID: 'asc' },
      }).result,
    ).toEqual([
      { ID: String(leads[0]), PHONE: [] },
      { ID: String(leads[1]), PHONE: [] },
    ]);
  });

  it('refuses a list under a plain key, one value under @, and an unknown order field or direction', () => {
    portal.seedContact({ name: 'Jane' });
    expect(refusal('crm.contact.list', { filter: { ID: [1, 2] } }).description).toContain('@ID');
    expect(refusal('crm.contact.list', { filter: { '@ID': 1 } }).status).toBe(400);
    expect(refusal('crm.lead.list', { order: { NOPE: 'ASC' } }).status).toBe(400);
    expect(refusal('crm.contact.list', { order: { ID: 'UP' } }).status).toBe(400);
  });

  it('crm.item.list takes @id with a list; a plain key with a list is an invalid value', () => {
    const ids = [0, 1, 2].map((i) => portal.seedContact({ name: `C${i}`, phones: ['+1'] }).id);
    const answer = call('crm.item.list', {
      entityTypeId: 3,
      filter: { '@id': [ids[0], ids[2]] },
      select: ['id', 'name', 'fm'],
      order: { id: 'DESC' },
    });
    expect((answer.result as { items: { id: number }[] }).items.map((i) => i.id)).toEqual([ids[2], ids[0]]);
    expect(refusal('crm.item.list', { entityTypeId: 3, filter: { id: ids } })).toMatchObject({
      code: 'INVALID_ARG_VALUE',
      description: "Invalid filter: field 'id' has invalid value",
    });
  });

  it('crm.timeline.comment.list: newest first by CREATED, 50 a page with next and total, FILES selected', () => {
    const jane = portal.seedContact({ name: 'Jane' });
    for (let i = 0; i < 120; i++) {
      now += 1000;
      call('crm.timeline.comment.add', {
        fields: {
          ENTITY_ID: jane.id,
          ENTITY_TYPE: 'contact',
          COMMENT: `c${i}`,
          ...(i === 119 ? { FILES: [['last.txt', b64('z')]] } : {}),
        },
      });
    }
    const params = {
      filter: { ENTITY_ID: jane.id, ENTITY_TYPE: 'contact' },
      order: { CREATED: 'DESC' },
      select: ['ID', 'COMMENT', 'CREATED', 'FILES'],
    };
    const first = call('crm.timeline.comment.list', params);
    expect(first).toMatchObject({ total: 120, next: 50 });
    const rows = first.result as { COMMENT: string; FILES: Record<string, { name: string }> }[];
    expect(rows.map((r) => r.COMMENT).slice(0, 2)).toEqual(['c119', 'c118']);
    expect(Object.values(rows[0]?.FILES ?? {}).map((f) => f.name)).toEqual(['last.txt']);
    expect(rows[1]?.FILES).toEqual({});
    const last = call('crm.timeline.comment.list', { ...params, start: 100 });
    expect(last.next).toBeUndefined();
    expect((last.result as { COMMENT: string }[]).map((r) => r.COMMENT).at(-1)).toBe('c0');
    const byId = call('crm.timeline.comment.list', { ...params, order: { ID: 'DESC' }, select: ['ID'] });
    expect((byId.result as { ID: string }[])[0]).toEqual({ ID: '120' });
    expect(refusal('crm.timeline.comment.list', { ...params, order: { CREATED: 'NEWEST' } }).status).toBe(
      400,
    );
  });
});

describe('companies and users', () => {
  it('crm.company.get answers the company with ids as strings, by id or ID; an unknown id is "Not found"', () => {
    const manager = portal.seedUser({ name: 'Maria', lastName: 'Lopes' });
    const company = portal.seedCompany('Acme', manager.id);
    const jane = portal.seedContact({ name: 'Jane', companyId: company.id, assignedById: manager.id });
    const contact = call('crm.contact.get', { id: jane.id }).result as Record<string, string>;
    expect(contact.COMPANY_ID).toBe(String(company.id));
    expect(contact.ASSIGNED_BY_ID).toBe(String(manager.id));
    expect(call('crm.company.get', { id: contact.COMPANY_ID }).result).toMatchObject({
      ID: String(company.id),
      TITLE: 'Acme',
      ASSIGNED_BY_ID: String(manager.id),
      HAS_PHONE: 'N',
    });
    expect(call('crm.company.get', { ID: company.id }).result).toMatchObject({ TITLE: 'Acme' });
    expect(refusal('crm.company.get', { id: 999 })).toMatchObject({
      status: 400,
      code: '',
      description: 'Not found',
    });
    expect(PORTAL_METHODS['crm.company.get']?.scope).toBe('crm');
  });

  it('user.get finds the responsible person by ID, a list of ids, or top-level fields; 50 a page', () => {
    const maria = portal.seedUser({ name: 'Maria', lastName: 'Lopes', email: 'maria@example.com' });
    const gone = portal.seedUser({ name: 'Old', lastName: 'Hand', active: false });
    expect(maria.id).toBe(2);
    const one = call('user.get', { filter: { ID: maria.id } });
    expect(one.total).toBe(1);
    expect(one.result).toEqual([
      expect.objectContaining({
        ID: '2',
        ACTIVE: true,
        NAME: 'Maria',
        LAST_NAME: 'Lopes',
        EMAIL: 'maria@example.com',
        USER_TYPE: 'employee',
      }),
    ]);
    const ids = (answer: { result: unknown }) => (answer.result as { ID: string }[]).map((u) => u.ID);
    expect(ids(call('user.get', { FILTER: { '@ID': [1, maria.id] } }))).toEqual(['1', '2']);
    expect(ids(call('user.get', { filter: { ID: [maria.id, gone.id] } }))).toEqual(['2', '3']);
    expect(ids(call('user.get', { ID: gone.id }))).toEqual(['3']);
    expect(ids(call('user.get', { filter: { ACTIVE: true } }))).toEqual(['1', '2']);
    expect(ids(call('user.get', { SORT: 'ID', ORDER: 'desc' }))).toEqual(['3', '2', '1']);
    expect(ids(call('user.get', { filter: { ID: 77 } }))).toEqual([]);
    expect(refusal('user.get', { filter: { NAME_SEARCH: 'Ma' } }).status).toBe(400);
    expect(refusal('user.get', { SORT: 'ID', ORDER: 'up' }).status).toBe(400);
    for (let i = 0; i < 60; i++) portal.seedUser({ name: `U${i}` });
    expect(call('user.get', {})).toMatchObject({ total: 63, next: 50 });
    expect(call('user.get', { start: 50 }).result as unknown[]).toHaveLength(13);
  });

  it('user.current is the caller; a brief scope hides the e-mail; a seeded user names comment authors and the card', () => {
    expect(call('user.current').result).toMatchObject({ ID: '1', NAME: 'Sandbox', LAST_NAME: 'Admin' });
    const maria = portal.seedUser({ id: 7, name: 'Maria', lastName: 'Lopes', email: 'm@example.com' });
    expect(portal.seedUser({ name: 'Next' }).id).toBe(8);
    expect(() => portal.seedUser({ id: 7 })).toThrow();
    context = { portal, userId: maria.id, scopes: ['crm', 'user_brief'] };
    const brief = call('user.current').result as Record<string, unknown>;
    expect(brief).toMatchObject({ ID: '7', NAME: 'Maria', LAST_NAME: 'Lopes' });
    expect(brief).not.toHaveProperty('EMAIL');
    expect(PORTAL_METHODS['user.get']?.scope).toEqual(['user', 'user_brief', 'user_basic']);
    context = { portal, userId: 42, scopes: ['user'] };
    expect(call('user.current').result).toMatchObject({ ID: '42', NAME: '' });

    context = { portal, userId: maria.id, scopes: ['crm', 'user'] };
    const jane = portal.seedContact({ name: 'Jane', assignedById: maria.id });
    call('crm.timeline.comment.add', {
      fields: { ENTITY_ID: jane.id, ENTITY_TYPE: 'contact', COMMENT: 'hi', FILES: [['a.txt', b64('a')]] },
    });
    const list = call('crm.timeline.comment.list', {
      filter: { ENTITY_ID: jane.id, ENTITY_TYPE: 'contact' },
    });
    const [comment] = list.result as { AUTHOR_ID: string; FILES: Record<string, { authorName: string }> }[];
    expect(comment?.AUTHOR_ID).toBe('7');
    expect(Object.values(comment?.FILES ?? {})[0]?.authorName).toBe('Maria Lopes');
    expect(contactPage(portal, jane.id)).toContain('Maria Lopes');
  });
});

describe('disk: trash and delete', () => {
  const upload = (name: string) =>
    call('disk.folder.uploadfile', {
      id: portal.storages.get(1)?.rootFolderId,
      data: { NAME: name },
      fileContent: [name, b64(name)],
    }).result as { ID: number };

  it('markdeleted moves a file to the trash: DELETED_TYPE "3", DELETE_TIME, DELETED_BY; its name is free again', () => {
    const file = upload('a.txt');
    now += 60_000;
    expect(call('disk.file.markdeleted', { id: file.ID }).result).toMatchObject({
      ID: String(file.ID),
      DELETED_TYPE: '3',
      DELETE_TIME: '2026-01-15T09:31:00+00:00',
      DELETED_BY: '1',
    });
    expect(call('disk.file.get', { id: file.ID }).result).toMatchObject({ DELETED_TYPE: '3' });
    expect(upload('a.txt')).toMatchObject({ NAME: 'a.txt' });
    expect(refusal('disk.file.markdeleted', { id: 9999 }).code).toBe('ERROR_NOT_FOUND');
  });

  it('delete removes a file for good, from a folder or the trash; unknown and missing ids refused as documented', () => {
    const kept = upload('kept.txt');
    const gone = upload('gone.txt');
    const trashed = upload('trashed.txt');
    call('disk.file.markdeleted', { id: trashed.ID });
    expect(call('disk.file.delete', { id: gone.ID }).result).toBe(true);
    expect(call('disk.file.delete', { id: String(trashed.ID) }).result).toBe(true);
    expect(portal.inspectDiskFiles().map((f) => f.id)).toEqual([kept.ID]);
    expect(refusal('disk.file.get', { id: gone.ID })).toMatchObject({
      status: 400,
      code: 'ERROR_NOT_FOUND',
      description: `Could not find entity with id \`${gone.ID}\``,
    });
    expect(refusal('disk.file.delete', { id: gone.ID }).code).toBe('ERROR_NOT_FOUND');
    expect(refusal('disk.file.delete', {})).toMatchObject({
      code: 'ERROR_ARGUMENT',
      description: 'Invalid value of parameter {Parameter #0}',
    });
    expect(PORTAL_METHODS['disk.file.delete']?.scope).toBe('disk');
  });

  it('a comment whose file was deleted on Disk lists no such file', () => {
    const jane = portal.seedContact({ name: 'Jane' });
    const id = call('crm.timeline.comment.add', {
      fields: { ENTITY_ID: jane.id, ENTITY_TYPE: 'contact', COMMENT: 'x', FILES: [['a.txt', b64('a')]] },
    }).result;
    const [fileId] = portal.comments.get(Number(id))?.fileIds ?? [];
    call('disk.file.delete', { id: fileId });
    expect(call('crm.timeline.comment.get', { id }).result).toMatchObject({ FILES: {} });
  });
});

describe('contact page', () => {
  it('shows the contact, its deals and its timeline with files, escaped', () => {
    const company = portal.seedCompany('Acme <Ltd>');
    const jane = portal.seedContact({
      name: 'Jane',
      lastName: 'Doe',
      companyId: company.id,
      phones: ['+15551234567'],
    });
    portal.seedDeal({ title: 'Renewal', contactId: jane.id });
    call('crm.timeline.comment.add', {
      fields: {
        ENTITY_ID: jane.id,
        ENTITY_TYPE: 'contact',
        COMMENT: '<b>hi</b>',
        FILES: [['chat.txt', b64('x')]],
      },
    });
    const html = contactPage(portal, jane.id) ?? '';
    expect(contactPagePath(jane.id)).toBe(`/crm/contact/details/${jane.id}/`);
    expect(html).toContain('Jane Doe');
    expect(html).toContain('+15551234567');
    expect(html).toContain('Acme &lt;Ltd&gt;');
    expect(html).toContain('Renewal');
    expect(html).toContain('&lt;b&gt;hi&lt;/b&gt;');
    expect(html).toContain('chat.txt');
    expect(contactPage(portal, 999)).toBeUndefined();
  });
});
