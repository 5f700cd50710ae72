import type { SalesforceTransport } from './transport.js';

/** What a connection puts on the contacts and leads wasync creates from a chat. */
export interface RecordDefaults {
  /** Lead Source value; left out when undefined or when the org's picklist does not allow it. */
  leadSource: string | undefined;
  /** Company of a lead made from a chat when the user gives none (Lead.Company is required). */
  leadCompany: string;
}

export const DEFAULT_RECORD_DEFAULTS: RecordDefaults = {
  leadSource: 'WhatsApp',
  leadCompany: 'Unknown (WhatsApp)',
};

interface PicklistDescribe {
  fields?: {
    name: string;
    restrictedPicklist?: boolean;
    picklistValues?: { value: string; active?: boolean }[];
  }[];
}

/**
 * Lead Source is a picklist an admin may restrict: a value the org does not list is then refused with
 * INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST and the whole create fails. Reads the field's values once per
 * object (describe) and answers the configured value only where the org takes it, matched as the
 * org spells it.
 */
export class LeadSourcePicklist {
  private readonly values = new Map<string, Promise<{ restricted: boolean; values: string[] }>>();

  constructor(private readonly transport: SalesforceTransport) {}

  async allowed(object: 'Contact' | 'Lead', wanted: string | undefined): Promise<string | undefined> {
    if (!wanted) return undefined;
    let picklist = this.values.get(object);
    if (!picklist) {
      picklist = this.read(object);
      this.values.set(object, picklist);
      picklist.catch(() => this.values.delete(object));
    }
    const { restricted, values } = await picklist;
    const match = values.find((value) => value.toLowerCase() === wanted.toLowerCase());
    return match ?? (restricted ? undefined : wanted);
  }

  private async read(object: string): Promise<{ restricted: boolean; values: string[] }> {
    const describe = await this.transport.request<PicklistDescribe>('GET', `sobjects/${object}/describe`);
    const field = describe.body.fields?.find((f) => f.name === 'LeadSource');
    // No Lead Source field for this user (field-level security): nothing can be written to it.
    if (!field) return { restricted: true, values: [] };
    return {
      restricted: field.restrictedPicklist === true,
      values: (field.picklistValues ?? []).filter((v) => v.active !== false).map((v) => v.value),
    };
  }
}
