/**
 * The deal as a person sees it on the portal (`/crm/deal/details/{id}/`, where the card's open deals
 * link): its title, stage, amount, whether it is closed, its contact (a link to the contact's page),
 * company, responsible person and its timeline (record-page.ts).
 */
import type { Portal } from './portal.js';
import { companyOf, contactRow, ownershipRows, recordPagePath, renderRecordPage } from './record-page.js';

export const dealPagePath = (id: number | string) => recordPagePath('deal', id);

/** The page's HTML, or undefined when the portal has no such deal. */
export function dealPage(portal: Portal, id: number): string | undefined {
  const deal = portal.entity('deal', id);
  if (!deal) return undefined;
  const amount = [deal.fields.OPPORTUNITY, deal.fields.CURRENCY_ID].filter(Boolean).join(' ');
  return renderRecordPage({
    portal,
    entity: deal,
    label: 'Deal',
    heading: deal.fields.TITLE || `Deal #${deal.id}`,
    rows: [
      { label: 'Stage', value: deal.fields.STAGE_ID ?? '' },
      { label: 'Amount', value: amount },
      { label: 'Closed', value: deal.fields.CLOSED === 'Y' ? 'Yes' : 'No' },
      ...contactRow(portal, deal),
      { label: 'Company', value: companyOf(portal, deal)?.fields.TITLE ?? '' },
      ...ownershipRows(portal, deal),
    ],
  });
}
