/**
 * Every REST method the Bitrix24 sandbox's portal answers, by lowercase name (method names are matched
 * case-insensitively: the docs spell both disk.folder.uploadFile and disk.folder.uploadfile).
 */
import type { MethodDefinition } from '../method.js';
import { DISK_METHODS } from './disk.js';
import { DISK_FOLDER_METHODS } from './disk-folders.js';
import { findByComm } from './duplicates.js';
import { ENTITY_METHODS } from './entities.js';
import { itemList } from './items.js';
import { settingsModeGet } from './settings.js';
import { TIMELINE_METHODS } from './timeline.js';
import { USER_METHODS } from './users.js';

export const PORTAL_METHODS: Record<string, MethodDefinition> = {
  'crm.duplicate.findbycomm': findByComm,
  ...ENTITY_METHODS,
  'crm.item.list': itemList,
  'crm.settings.mode.get': settingsModeGet,
  ...TIMELINE_METHODS,
  ...DISK_METHODS,
  ...DISK_FOLDER_METHODS,
  ...USER_METHODS,
};

/** The method for a called name, whatever its case, and with a trailing `.json` taken off. */
export function portalMethod(name: string): MethodDefinition | undefined {
  return PORTAL_METHODS[name.toLowerCase().replace(/\.json$/, '')];
}
