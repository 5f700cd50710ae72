import { CrmError } from '../../types.js';
import { type QueryAnswer, text } from '../mapping.js';
import { soqlString } from '../soql.js';
import type { SalesforceTransport } from '../transport.js';
import { CHAT_FIELDS, CHAT_OBJECT } from './custom-object.js';
import type { SetupReport } from './report.js';

/** The permission set setup creates: its API name and label, as the org's admins will see it. */
export const PERMISSION_SET = { Name: 'WhatsApp_Backup', Label: 'WhatsApp Backup' } as const;

type Row = Record<string, unknown>;

/**
 * Grants the connection's user what the sync needs, through the WhatsApp Backup permission set:
 * read/create/edit on WhatsApp_Chat__c and read/edit on each of its fields. Fields deployed through
 * the Metadata API carry no field-level security for anyone, so without this the first upsert fails
 * with "external ID field does not exist or is not accessible" (Object Reference: PermissionSet,
 * ObjectPermissions, FieldPermissions, PermissionSetAssignment). Each row is looked up before it is
 * created, so running setup again changes nothing.
 */
export async function grantChatAccess(transport: SalesforceTransport, report: SetupReport): Promise<void> {
  const setId = await permissionSet(transport, report);
  await objectPermissions(transport, setId, report);
  await fieldPermissions(transport, setId, report);
  await assignment(transport, setId, report);
}

async function query(transport: SalesforceTransport, soql: string): Promise<Row[]> {
  return (await transport.request<QueryAnswer>('GET', `query?q=${encodeURIComponent(soql)}`)).body.records;
}

async function create(transport: SalesforceTransport, type: string, body: Row): Promise<string> {
  return (await transport.request<{ id: string }>('POST', `sobjects/${type}`, body)).body.id;
}

async function permissionSet(transport: SalesforceTransport, report: SetupReport): Promise<string> {
  const label = `PermissionSet ${PERMISSION_SET.Name}`;
  const [found] = await query(
    transport,
    `SELECT Id FROM PermissionSet WHERE Name = ${soqlString(PERMISSION_SET.Name)}`,
  );
  const existing = found && text(found, 'Id');
  if (existing) {
    report.existing.push(label);
    return existing;
  }
  const id = await create(transport, 'PermissionSet', {
    ...PERMISSION_SET,
    Description: 'Lets wasync write WhatsApp conversations into WhatsApp Chat records.',
  });
  report.created.push(label);
  return id;
}

const OBJECT_RIGHTS = { PermissionsRead: true, PermissionsCreate: true, PermissionsEdit: true } as const;

async function objectPermissions(
  transport: SalesforceTransport,
  setId: string,
  report: SetupReport,
): Promise<void> {
  const label = `ObjectPermissions ${CHAT_OBJECT} (read, create, edit)`;
  const [row] = await query(
    transport,
    `SELECT Id, PermissionsRead, PermissionsCreate, PermissionsEdit FROM ObjectPermissions WHERE ParentId = ${soqlString(setId)} AND SobjectType = ${soqlString(CHAT_OBJECT)}`,
  );
  const id = row && text(row, 'Id');
  if (!id) {
    await create(transport, 'ObjectPermissions', {
      ParentId: setId,
      SobjectType: CHAT_OBJECT,
      ...OBJECT_RIGHTS,
    });
    report.created.push(label);
  } else if (Object.keys(OBJECT_RIGHTS).some((right) => row[right] !== true)) {
    await transport.request('PATCH', `sobjects/ObjectPermissions/${id}`, OBJECT_RIGHTS);
    report.created.push(label);
  } else report.existing.push(label);
}

async function fieldPermissions(
  transport: SalesforceTransport,
  setId: string,
  report: SetupReport,
): Promise<void> {
  const rows = await query(
    transport,
    `SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions WHERE ParentId = ${soqlString(setId)} AND SobjectType = ${soqlString(CHAT_OBJECT)}`,
  );
  const byField = new Map(rows.map((row) => [String(row.Field ?? '').toLowerCase(), row]));
  for (const { fullName } of CHAT_FIELDS) {
    const field = `${CHAT_OBJECT}.${fullName}`;
    const label = `FieldPermissions ${field} (read, edit)`;
    const row = byField.get(field.toLowerCase());
    const id = row && text(row, 'Id');
    if (!id) {
      await create(transport, 'FieldPermissions', {
        ParentId: setId,
        SobjectType: CHAT_OBJECT,
        Field: field,
        PermissionsRead: true,
        PermissionsEdit: true,
      });
      report.created.push(label);
    } else if (row.PermissionsRead !== true || row.PermissionsEdit !== true) {
      await transport.request('PATCH', `sobjects/FieldPermissions/${id}`, {
        PermissionsRead: true,
        PermissionsEdit: true,
      });
      report.created.push(label);
    } else report.existing.push(label);
  }
}

async function assignment(transport: SalesforceTransport, setId: string, report: SetupReport): Promise<void> {
  const userId = await transport.userId();
  if (!userId) {
    throw new CrmError({
      kind: 'park',
      code: 'NO_USER_ID',
      message:
        'Salesforce did not say which user wasync signs in as, so the permission set cannot be assigned.',
    });
  }
  const label = `PermissionSetAssignment ${PERMISSION_SET.Name} → user ${userId}`;
  const found = await query(
    transport,
    `SELECT Id FROM PermissionSetAssignment WHERE PermissionSetId = ${soqlString(setId)} AND AssigneeId = ${soqlString(userId)}`,
  );
  if (found.length > 0) {
    report.existing.push(label);
    return;
  }
  await create(transport, 'PermissionSetAssignment', { PermissionSetId: setId, AssigneeId: userId });
  report.created.push(label);
}
