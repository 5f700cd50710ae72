/**
 * The lead as a person sees it on the portal (`/crm/lead/details/{id}/`, where the destination's
 * "Open in CRM" points for a lead): its title, the person's name and company name, its status, phones
 * and e-mails, the contact it was converted into (a link), the responsible person and its timeline
 * (record-page.ts).
 */
import type { Portal } from './portal.js';
import {
  companyOf,
  contactRow,
  multifieldRows,
  ownershipRows,
  personName,
  recordPagePath,
  renderRecordPage,
} from './record-page.js';

export const leadPagePath = (id: number | string) => recordPagePath('lead', id);

/** The page's HTML, or undefined when the portal has no such lead. */
export function leadPage(portal: Portal, id: number): string | undefined {
  const lead = portal.entity('lead', id);
  if (!lead) return undefined;
  return renderRecordPage({
    portal,
    entity: lead,
    label: 'Lead',
    heading: personName(lead, 'Lead'),
    rows: [
      { label: 'Lead name', value: lead.fields.TITLE ?? '' },
      { label: 'First name', value: lead.fields.NAME ?? '' },
      { label: 'Last name', value: lead.fields.LAST_NAME ?? '' },
      {
        label: 'Company name',
        value: lead.fields.COMPANY_TITLE ?? companyOf(portal, lead)?.fields.TITLE ?? '',
      },
      { label: 'Status', value: lead.fields.STATUS_ID ?? '' },
      ...multifieldRows(lead),
      ...contactRow(portal, lead),
      ...ownershipRows(portal, lead),
    ],
  });
}
