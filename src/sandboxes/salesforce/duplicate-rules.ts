import { SalesforceError } from './errors.js';
import type { FieldValue } from './schema/types.js';
import type { OrgStore, StoredRecord } from './store/org-store.js';

/** What the org's standard duplicate rules do on create: alert (the default), block, or nothing. */
export type DuplicateRuleAction = 'alert' | 'block' | 'off';

const RULES: Record<string, { rule: string; matchRule: string }> = {
  Contact: { rule: 'Standard_Contact_Duplicate_Rule', matchRule: 'Standard_Contact_Match_Rule_v1_1' },
  Lead: { rule: 'Standard_Lead_Duplicate_Rule', matchRule: 'Standard_Lead_Match_Rule_v1_0' },
};

/** The alert text of the standard rules (unverified wording; the code and shape are the documented ones). */
const ALERT = "You're creating a duplicate record. We recommend you use an existing record instead.";

/**
 * The standard Contact and Lead duplicate rules, active in every new org, as the API meets them
 * (REST API Developer Guide, "Duplicate Rule Header"; Object Reference, DuplicateResult): a create that
 * matches an existing record of the same object answers 400 DUPLICATES_DETECTED with the matching
 * records in `duplicateResult.matchResults`, unless the rule only alerts and the request says
 * `Sforce-Duplicate-Rule-Header: allowSave=true`; a blocking rule refuses whatever the header says.
 * Matching is modelled as the standard matching rules' core: the same first and last name (case and
 * spacing aside) and the same email, or a phone field whose last ten digits equal one of the new
 * record's. The real rules also match fuzzily on names and on company or address; that is not modelled.
 */
export function checkDuplicateRules(options: {
  store: OrgStore;
  type: string;
  input: Record<string, unknown>;
  action: DuplicateRuleAction;
  header: string | string[] | undefined;
  version: string;
}): void {
  const rule = RULES[options.type];
  if (!rule || options.action === 'off') return;
  const allowSave = /\ballowSave\s*=\s*true\b/i.test(String(options.header ?? ''));
  if (options.action === 'alert' && allowSave) return;
  const matches = options.store
    .all(options.type)
    .filter((record) => sameperson(record.fields, options.input));
  if (matches.length === 0) return;
  const body = {
    duplicateResult: {
      allowSave: options.action === 'alert',
      duplicateRule: rule.rule,
      duplicateRuleEntityType: options.type,
      errorMessage: ALERT,
      matchResults: [
        {
          entityType: options.type,
          errors: [],
          matchEngine: 'FuzzyMatchEngine',
          matchRecords: matches.map((record) => matchRecord(record, options.version)),
          rule: rule.matchRule,
          size: matches.length,
          success: true,
        },
      ],
    },
  };
  throw new SalesforceError({ status: 400, errorCode: 'DUPLICATES_DETECTED', message: ALERT, extra: body });
}

function matchRecord(record: StoredRecord, version: string) {
  return {
    additionalInformation: [],
    fieldDiffs: [],
    matchConfidence: 100,
    record: {
      attributes: {
        type: record.type,
        url: `/services/data/${version}/sobjects/${record.type}/${record.id}`,
      },
      Id: record.id,
    },
  };
}

const PHONES = ['Phone', 'MobilePhone', 'HomePhone', 'OtherPhone'];

function sameperson(existing: Record<string, FieldValue>, input: Record<string, unknown>): boolean {
  const name = (r: Record<string, unknown>) =>
    `${String(r.FirstName ?? '')} ${String(r.LastName ?? '')}`.trim().toLowerCase().replace(/\s+/g, ' ');
  if (name(input) === '' || name(existing) !== name(input)) return false;
  const email = (r: Record<string, unknown>) =>
    String(r.Email ?? '')
      .trim()
      .toLowerCase();
  if (email(input) !== '' && email(existing) === email(input)) return true;
  const phones = (r: Record<string, unknown>) =>
    PHONES.map((f) =>
      String(r[f] ?? '')
        .replace(/\D/g, '')
        .slice(-10),
    ).filter((p) => p.length >= 7);
  const wanted = new Set(phones(input));
  return phones(existing).some((p) => wanted.has(p));
}
