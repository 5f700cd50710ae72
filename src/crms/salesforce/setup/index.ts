import type { SalesforceTransport } from '../transport.js';
import { grantChatAccess } from './access.js';
import { deployChatObject } from './custom-object.js';
import { addChatRelatedLists } from './layouts.js';
import { emptyReport, type SetupReport } from './report.js';

export { PERMISSION_SET } from './access.js';
export { CHAT_FIELDS, CHAT_OBJECT } from './custom-object.js';
export type { SetupReport } from './report.js';

/**
 * Prepares an org for wasync, safe to run again: deploys WhatsApp_Chat__c and its fields (Metadata
 * API), grants the connection's user access to them through the WhatsApp Backup permission set, and
 * adds the WhatsApp Chats related list to the Contact and Lead page layouts. The user it signs in as
 * needs the permissions the README lists. Throws CrmError (park) when a step fails that the sync needs;
 * a layout it cannot change is a manual step in the report instead.
 */
export async function setUpSalesforce(transport: SalesforceTransport): Promise<SetupReport> {
  const report = emptyReport();
  await deployChatObject(transport, report);
  await grantChatAccess(transport, report);
  await addChatRelatedLists(transport, report);
  return report;
}
