import { WasyncError } from '../core/errors.js';
import {
  checkOutboundUrl,
  isAllowListed,
  type OutboundAllowList,
  UrlForbiddenError,
} from './outbound-url.js';

/** Where a vendor's API lives: the hosts a base URL for it may name (unless an admin allow-listed another). */
export interface VendorHosts {
  vendor: string;
  /** What the hosts are, for the message of a refusal. */
  described: string;
  matches(host: string): boolean;
}

/** The Graph API of WhatsApp's Cloud API. */
export const GRAPH_API: VendorHosts = {
  vendor: 'the Graph API',
  described: 'https://graph.facebook.com',
  matches: (host) => host === 'graph.facebook.com',
};

/**
 * Salesforce's login and instance hosts: login.salesforce.com, test.salesforce.com, My Domains
 * (`MyDomainName.my.salesforce.com`, `MyDomainName--SandboxName.sandbox.my.salesforce.com`, the
 * partitioned `*.develop.my.salesforce.com` and the like) and the older `*.force.com` instance hosts.
 * Formats: Packaging Guide, "Call Salesforce URLs Within a Package" (pointing to Salesforce Help, "My
 * Domain URL Formats"). Unverified: whether any org (Government Cloud, other partitions) is served
 * outside these two domains; such an org's host can be allow-listed.
 */
export const SALESFORCE: VendorHosts = {
  vendor: 'Salesforce',
  described: 'an https URL on salesforce.com or force.com',
  matches: (host) => host.endsWith('.salesforce.com') || host.endsWith('.force.com'),
};

/**
 * Zoho's accounts servers and API hosts in every data centre: `accounts.zoho.com|.eu|.in|.com.au|.jp|
 * .com.cn|.sa|.uk`, `accounts.zohocloud.ca`, and the API domains `www.zohoapis.*` (with the `sandbox.`
 * and `developer.` prefixes) that token answers name (Zoho Accounts, "Multi DC support"; the crm-apis
 * notes §2.1). Unverified: whether any data centre is served outside these domains; such a host can be
 * allow-listed.
 */
export const ZOHO: VendorHosts = {
  vendor: 'Zoho',
  described: 'an https URL on a Zoho accounts or API domain (accounts.zoho.com, www.zohoapis.eu, …)',
  matches: (host) => /(^|\.)(zoho|zohoapis|zohocloud)\.(com|eu|in|com\.au|jp|ca|sa|com\.cn|uk)$/.test(host),
};

/**
 * Bitrix24's cloud portals (`{name}.bitrix24.com`, `.bitrix24.de`, `.bitrix24.com.br`, … one domain per
 * region) and its OAuth servers `oauth.bitrix.info` and `oauth.bitrix24.tech` (b24restdocs
 * `settings/oauth/index.md`; the crm-apis notes §3.1). A self-hosted portal (Bitrix24 On-Premise, or a
 * cloud portal on a domain of its own) is on any host: its operator allow-lists it.
 */
export const BITRIX24: VendorHosts = {
  vendor: 'Bitrix24',
  described: 'an https URL on a Bitrix24 cloud domain (yourcompany.bitrix24.com, .bitrix24.de, …)',
  matches: (host) =>
    /(^|\.)bitrix24\.[a-z]{2,4}(\.[a-z]{2})?$/.test(host) ||
    host === 'oauth.bitrix.info' ||
    host === 'oauth.bitrix24.tech',
};

/**
 * Checks a vendor base URL an admin gives (or a vendor's answer names): the outbound rules, then an
 * https URL on the vendor's own hosts, or any allow-listed host. Throws `url_forbidden` naming `field`.
 */
export function checkVendorUrl(
  raw: string,
  vendor: VendorHosts,
  allow: OutboundAllowList,
  field: string,
): URL {
  const refuse = (reason: string) =>
    new WasyncError('url_forbidden', `${field}: ${reason}`, { field, issues: [{ field, message: reason }] });
  let url: URL;
  try {
    url = checkOutboundUrl(raw, allow);
  } catch (error) {
    if (error instanceof UrlForbiddenError) throw refuse(error.message);
    throw error;
  }
  if (url.search !== '' || url.hash !== '') throw refuse('a base URL has no query or fragment');
  if (
    !isAllowListed(url, allow) &&
    (url.protocol !== 'https:' || !vendor.matches(url.hostname.toLowerCase()))
  )
    throw refuse(
      `${url.origin} is not ${vendor.vendor}: use ${vendor.described}, or ask the server's operator to allow-list the host (WASYNC_OUTBOUND_ALLOW)`,
    );
  return url;
}
