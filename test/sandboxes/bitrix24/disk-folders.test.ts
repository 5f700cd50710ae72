import { beforeEach, describe, expect, it } from 'vitest';
import { Bitrix24Error, type MethodContext } from '../../../src/sandboxes/bitrix24/method.js';
import { PORTAL_METHODS, portalMethod } from '../../../src/sandboxes/bitrix24/methods/index.js';
import { Portal } from '../../../src/sandboxes/bitrix24/portal.js';

let portal: Portal;
let context: MethodContext;

const call = (method: string, params: Record<string, unknown> = {}) => {
  const definition = PORTAL_METHODS[method];
  if (!definition) throw new Error(`no method ${method}`);
  return definition.handle(params, context) as { result: unknown; total?: number; next?: number };
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

beforeEach(() => {
  portal = new Portal({ clock: () => Date.UTC(2026, 0, 15), baseUrl: 'http://portal.test' });
  context = { portal, userId: 1, scopes: ['crm', 'disk'] };
});

describe('disk folders', () => {
  it('makes a folder in a storage root once, lists it among the root’s children, and files in it', () => {
    const shared = [...portal.storages.values()].find((s) => s.entityType === 'common');
    const made = call('disk.storage.addfolder', { id: shared?.id, data: { NAME: 'wasync' } }).result as {
      ID: number;
      TYPE: string;
    };
    expect(made).toMatchObject({ ID: expect.any(Number), TYPE: 'folder', NAME: 'wasync' });
    expect(refusal('disk.storage.addfolder', { id: shared?.id, data: { NAME: 'wasync' } }).code).toBe(
      'DISK_OBJ_22000',
    );
    expect(refusal('disk.storage.addfolder', { id: shared?.id, data: {} }).code).toBe('ERROR_ARGUMENT');
    expect(refusal('disk.storage.addfolder', { id: 999, data: { NAME: 'x' } }).code).toBe('ERROR_NOT_FOUND');

    const found = call('disk.storage.getchildren', { id: shared?.id, filter: { NAME: 'wasync' } });
    expect(found.result).toEqual([expect.objectContaining({ ID: String(made.ID), TYPE: 'folder' })]);
    expect(call('disk.storage.getchildren', { id: shared?.id, filter: { NAME: 'none' } }).result).toEqual([]);

    call('disk.folder.uploadfile', {
      id: made.ID,
      data: { NAME: 'a.txt' },
      fileContent: ['a.txt', Buffer.from('a').toString('base64')],
    });
    const files = call('disk.folder.getchildren', { id: made.ID, filter: { NAME: 'a.txt' } });
    expect(files.result).toEqual([
      expect.objectContaining({ TYPE: 'file', NAME: 'a.txt', SIZE: '1', ID: expect.any(String) }),
    ]);
    expect(files.total).toBe(1);
    expect(refusal('disk.folder.getchildren', { id: 999 }).code).toBe('ERROR_NOT_FOUND');
    expect(portalMethod('disk.storage.addFolder')).toBe(PORTAL_METHODS['disk.storage.addfolder']);
  });
});
