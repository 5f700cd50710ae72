/**
 * The contact as a person sees it on the portal (`/crm/contact/details/{id}/`, from "Open in CRM"):
 * its fields, phones and e-mails, company, responsible person, its deals (each a link to the deal's
 * page) and its timeline (record-page.ts).
 */
import type { Portal } from './portal.js';
import {
  companyOf,
  escapeHtml,
  link,
  multifieldRows,
  ownershipRows,
  personName,
  recordPagePath,
  renderRecordPage,
} from './record-page.js';

export const contactPagePath = (id: number | string) => recordPagePath('contact', id);

/** The page's HTML, or undefined when the portal has no such contact. */
export function contactPage(portal: Portal, id: number): string | undefined {
  const contact = portal.entity('contact', id);
  if (!contact) return undefined;
  const deals = portal.all('deal').filter((d) => d.fields.CONTACT_ID === String(id));
  const dealItems = deals
    .map(
      (d) =>
        `<li>${link(recordPagePath('deal', d.id), d.fields.TITLE ?? `Deal #${d.id}`)} · ${escapeHtml(d.fields.STAGE_ID ?? '')}</li>`,
    )
    .join('');
  return renderRecordPage({
    portal,
    entity: contact,
    label: 'Contact',
    heading: personName(contact, 'Contact'),
    rows: [
      { label: 'First name', value: contact.fields.NAME ?? '' },
      { label: 'Last name', value: contact.fields.LAST_NAME ?? '' },
      ...multifieldRows(contact),
      { label: 'Company', value: companyOf(portal, contact)?.fields.TITLE ?? '' },
      ...ownershipRows(portal, contact),
    ],
    sections: [{ heading: 'Deals', html: `<ul class="deals">${dealItems || '<li>No deals</li>'}</ul>` }],
  });
}
