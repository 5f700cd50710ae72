/**
 * Zoho's data centres: where a connection signs in (the accounts server) and where the CRM's web UI
 * lives, for links to records. The API's own host is never taken from here: every token answer names
 * it (`api_domain`), and wasync uses what the answer says (Zoho Accounts, "Multi DC support": "use the
 * api_domain … returned in the access token response"; the crm-apis notes §2.1).
 */
export const ZOHO_DATA_CENTRES = {
  us: {
    label: 'United States (zoho.com)',
    accounts: 'https://accounts.zoho.com',
    web: 'https://crm.zoho.com',
  },
  eu: { label: 'Europe (zoho.eu)', accounts: 'https://accounts.zoho.eu', web: 'https://crm.zoho.eu' },
  in: { label: 'India (zoho.in)', accounts: 'https://accounts.zoho.in', web: 'https://crm.zoho.in' },
  au: {
    label: 'Australia (zoho.com.au)',
    accounts: 'https://accounts.zoho.com.au',
    web: 'https://crm.zoho.com.au',
  },
  jp: { label: 'Japan (zoho.jp)', accounts: 'https://accounts.zoho.jp', web: 'https://crm.zoho.jp' },
  ca: {
    label: 'Canada (zohocloud.ca)',
    accounts: 'https://accounts.zohocloud.ca',
    web: 'https://crm.zohocloud.ca',
  },
  sa: { label: 'Saudi Arabia (zoho.sa)', accounts: 'https://accounts.zoho.sa', web: 'https://crm.zoho.sa' },
  cn: {
    label: 'China (zoho.com.cn)',
    accounts: 'https://accounts.zoho.com.cn',
    web: 'https://crm.zoho.com.cn',
  },
  uk: { label: 'United Kingdom (zoho.uk)', accounts: 'https://accounts.zoho.uk', web: 'https://crm.zoho.uk' },
} as const;

export type ZohoDataCentre = keyof typeof ZOHO_DATA_CENTRES;

export const ZOHO_DATA_CENTRE_NAMES = Object.keys(ZOHO_DATA_CENTRES) as [ZohoDataCentre, ...ZohoDataCentre[]];
