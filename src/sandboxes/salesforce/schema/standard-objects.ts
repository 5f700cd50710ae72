import { type FieldDef, personName, reference, type SObjectDef, text, withSystemFields } from './types.js';

type Compute = NonNullable<FieldDef['compute']>;
const computed = (name: string, label: string, type: FieldDef['type'], compute: Compute): FieldDef => ({
  name,
  label,
  type,
  createable: false,
  updateable: false,
  compute,
});

const phone = (name: string, label: string): FieldDef => text(name, label, { type: 'phone', length: 40 });

/**
 * The Lead Source values a new org has (a standard value set shared by Contact and Lead). Kept
 * restricted in the sandbox, as an admin may make it, so a value the org does not know is refused
 * (INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST) instead of passing silently.
 */
export const STANDARD_LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];
const leadSource = (): FieldDef =>
  text('LeadSource', 'Lead Source', {
    type: 'picklist',
    length: 255,
    picklistValues: [...STANDARD_LEAD_SOURCES],
  });
const CLOSED_STAGES = ['Closed Won', 'Closed Lost'];

const user: SObjectDef = {
  name: 'User',
  label: 'User',
  labelPlural: 'Users',
  keyPrefix: '005',
  custom: false,
  fields: withSystemFields(
    [
      text('Username', 'Username', { type: 'email', length: 80, required: true, unique: true }),
      text('FirstName', 'First Name', { length: 40 }),
      text('LastName', 'Last Name', { length: 80, required: true }),
      computed('Name', 'Full Name', 'string', personName),
      text('Email', 'Email', { type: 'email', length: 128, required: true }),
      text('Alias', 'Alias', { length: 8 }),
      {
        name: 'IsActive',
        label: 'Active',
        type: 'boolean',
        createable: true,
        updateable: true,
        defaultValue: true,
      },
    ],
    { owned: false },
  ),
};

const account: SObjectDef = {
  name: 'Account',
  label: 'Account',
  labelPlural: 'Accounts',
  keyPrefix: '001',
  custom: false,
  fields: withSystemFields(
    [
      text('Name', 'Account Name', { required: true }),
      phone('Phone', 'Account Phone'),
      text('Website', 'Website', { type: 'url' }),
      text('Industry', 'Industry', { type: 'picklist', length: 255 }),
      text('Description', 'Account Description', { type: 'textarea', length: 32000 }),
    ],
    { owned: true },
  ),
};

const contact: SObjectDef = {
  name: 'Contact',
  label: 'Contact',
  labelPlural: 'Contacts',
  keyPrefix: '003',
  custom: false,
  fields: withSystemFields(
    [
      text('FirstName', 'First Name', { length: 40 }),
      text('LastName', 'Last Name', { length: 80, required: true }),
      computed('Name', 'Full Name', 'string', personName),
      reference('AccountId', 'Account ID', 'Account', 'Account'),
      phone('Phone', 'Business Phone'),
      phone('MobilePhone', 'Mobile Phone'),
      phone('HomePhone', 'Home Phone'),
      phone('OtherPhone', 'Other Phone'),
      phone('AssistantPhone', 'Asst. Phone'),
      phone('Fax', 'Business Fax'),
      text('Email', 'Email', { type: 'email', length: 80 }),
      text('Title', 'Title', { length: 128 }),
      leadSource(),
      text('Description', 'Contact Description', { type: 'textarea', length: 32000 }),
    ],
    { owned: true },
  ),
};

const lead: SObjectDef = {
  name: 'Lead',
  label: 'Lead',
  labelPlural: 'Leads',
  keyPrefix: '00Q',
  custom: false,
  fields: withSystemFields(
    [
      text('FirstName', 'First Name', { length: 40 }),
      text('LastName', 'Last Name', { length: 80, required: true }),
      computed('Name', 'Full Name', 'string', personName),
      text('Company', 'Company', { required: true }),
      phone('Phone', 'Phone'),
      phone('MobilePhone', 'Mobile Phone'),
      phone('Fax', 'Fax'),
      text('Email', 'Email', { type: 'email', length: 80 }),
      // The person's job title, as on Contact (Salesforce Field Reference, Lead: Title, string 128).
      text('Title', 'Title', { length: 128 }),
      text('Status', 'Status', { type: 'picklist', defaultValue: 'Open - Not Contacted' }),
      leadSource(),
      // Createable but not updateable: an org only converts leads through convertLead.
      {
        name: 'IsConverted',
        label: 'Converted',
        type: 'boolean',
        createable: true,
        updateable: false,
        defaultValue: false,
      },
      reference('ConvertedContactId', 'Converted Contact ID', 'Contact', 'ConvertedContact', {
        updateable: false,
      }),
      text('Description', 'Description', { type: 'textarea', length: 32000 }),
    ],
    { owned: true },
  ),
};

const opportunity: SObjectDef = {
  name: 'Opportunity',
  label: 'Opportunity',
  labelPlural: 'Opportunities',
  keyPrefix: '006',
  custom: false,
  fields: withSystemFields(
    [
      text('Name', 'Name', { length: 120, required: true }),
      text('StageName', 'Stage', { type: 'picklist', length: 255, required: true }),
      {
        name: 'CloseDate',
        label: 'Close Date',
        type: 'date',
        createable: true,
        updateable: true,
        required: true,
      },
      { name: 'Amount', label: 'Amount', type: 'currency', createable: true, updateable: true },
      computed('IsClosed', 'Closed', 'boolean', (r) => CLOSED_STAGES.includes(String(r.StageName))),
      computed('IsWon', 'Won', 'boolean', (r) => r.StageName === 'Closed Won'),
      reference('AccountId', 'Account ID', 'Account', 'Account'),
      reference('ContactId', 'Contact ID', 'Contact', 'Contact'),
      text('Description', 'Description', { type: 'textarea', length: 32000 }),
    ],
    { owned: true },
  ),
};

/**
 * How most orgs tie people to deals: a role of a contact on an opportunity (Object Reference,
 * OpportunityContactRole), many per opportunity, one of them primary.
 */
const opportunityContactRole: SObjectDef = {
  name: 'OpportunityContactRole',
  label: 'Opportunity Contact Role',
  labelPlural: 'Opportunity Contact Role',
  keyPrefix: '00K',
  custom: false,
  fields: withSystemFields(
    [
      reference('OpportunityId', 'Opportunity ID', 'Opportunity', 'Opportunity', {
        required: true,
        updateable: false,
      }),
      reference('ContactId', 'Contact ID', 'Contact', 'Contact', { required: true }),
      text('Role', 'Role', {
        type: 'picklist',
        length: 40,
        picklistValues: [
          'Business User',
          'Decision Maker',
          'Economic Buyer',
          'Economic Decision Maker',
          'Evaluator',
          'Executive Sponsor',
          'Influencer',
          'Technical Buyer',
          'Other',
        ],
      }),
      {
        name: 'IsPrimary',
        label: 'Primary',
        type: 'boolean',
        createable: true,
        updateable: true,
        defaultValue: false,
      },
    ],
    { owned: false },
  ),
};

/** The standard objects wasync reads and writes; content objects live in content-objects.ts. */
export const STANDARD_OBJECTS: readonly SObjectDef[] = [
  user,
  account,
  contact,
  lead,
  opportunity,
  opportunityContactRole,
];
