/**
 * The modules and fields the sandbox keeps: the standard fields an adapter writes and reads, each
 * with its length. Lengths: Last_Name 80 (crm-oas v8.0/coql/mds/examples/executeCOQLQuery.md, the
 * Leads Last_Name field metadata); phone fields 30 (the INVALID_DATA `maximum_length` example in the
 * crm-apis notes; unverified); the rest unverified, Zoho's usual text length. A field the module does
 * not have is refused as INVALID_DATA (unverified: the docs do not say whether unknown keys are
 * ignored; refusing is the stricter choice).
 */
export type ModuleName = 'Contacts' | 'Leads' | 'Deals';
export type PersonModule = 'Contacts' | 'Leads';

export interface FieldDef {
  maxLength: number;
  phone?: boolean;
}

const text = (maxLength: number): FieldDef => ({ maxLength });
const phone: FieldDef = { maxLength: 30, phone: true };

export const MODULE_FIELDS: Record<PersonModule, Record<string, FieldDef>> = {
  Contacts: {
    First_Name: text(40),
    Last_Name: text(80),
    Email: text(100),
    Phone: phone,
    Mobile: phone,
    Home_Phone: phone,
    Other_Phone: phone,
    Asst_Phone: phone,
    Lead_Source: text(120),
    Description: text(32000),
  },
  Leads: {
    First_Name: text(40),
    Last_Name: text(80),
    Company: text(200),
    Email: text(100),
    Phone: phone,
    Mobile: phone,
    Lead_Source: text(120),
    Description: text(32000),
  },
};

/** Fields every record answers besides its own, kept by the CRM (read-only to the API). */
export const SYSTEM_FIELDS = [
  'id',
  'Full_Name',
  'Created_Time',
  'Modified_Time',
  'Created_By',
  'Modified_By',
  'Owner',
];

export const DEAL_FIELDS = ['Deal_Name', 'Stage', 'Amount', 'Closing_Date', 'Contact_Name'];

export function isPersonModule(module: string): module is PersonModule {
  return module === 'Contacts' || module === 'Leads';
}

/** The phone fields of a module, which `phone=` search looks in (record.json search: all phone fields). */
export function phoneFields(module: PersonModule): string[] {
  return Object.entries(MODULE_FIELDS[module])
    .filter(([, def]) => def.phone)
    .map(([name]) => name);
}
