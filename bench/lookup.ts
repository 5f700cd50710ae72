import { numberToFind } from '../src/core/phone-lookup.js';
import { SalesforceDestination } from '../src/crms/salesforce/destination.js';
import { SalesforceTransport } from '../src/crms/salesforce/transport.js';
import { buildSalesforceSandbox, DEMO_CLIENT } from '../src/sandboxes/salesforce/index.js';

export interface LookupFigures {
  numbers: number;
  /** Data API calls of one findByPhones over all the numbers (searches and the unindexed query). */
  calls: number;
  searches: number;
  /** The fewest calls the limits allow: 4,000-character searches for every term, one Composite call. */
  minimum: number;
  /** Numbers whose record was found. */
  found: number;
}

/**
 * A Brazilian workspace's contacts: three in five Brazilian mobiles typed nationally, the others
 * foreign numbers typed internationally, each as people write them.
 */
const COUNTRIES = [
  { e164: (n: string) => `+55119${n}`, stored: (n: string) => `(11) 9${n.slice(0, 4)}-${n.slice(4)}` },
  { e164: (n: string) => `+55219${n}`, stored: (n: string) => `021 9${n.slice(0, 4)} ${n.slice(4)}` },
  { e164: (n: string) => `+55319${n}`, stored: (n: string) => `(31) ${n.slice(0, 4)}-${n.slice(4)}` },
  { e164: (n: string) => `+491512${n.slice(1)}`, stored: (n: string) => `+49 (0)1512 ${n.slice(1)}` },
  { e164: (n: string) => `+1201555${n.slice(4)}`, stored: (n: string) => `+1 (201) 555-${n.slice(4)}` },
];

/**
 * One lookup of `numbers` chat numbers against an org that has held their contacts for days (so its
 * search index has them), counted as the org counts API requests, beside the fewest the limits allow.
 */
export async function benchLookup(options: { numbers: number }): Promise<LookupFigures> {
  const sandbox = await buildSalesforceSandbox({ customObjectDeployed: true });
  const url = await sandbox.listen(0);
  try {
    const longAgo = new Date(Date.now() - 3 * 86_400_000).toISOString();
    const phones: string[] = [];
    const seeds: Record<string, unknown>[] = [];
    for (let i = 0; i < options.numbers; i++) {
      const country = COUNTRIES[i % COUNTRIES.length];
      if (!country) break;
      const digits = String(60_000_000 + i * 7919).slice(-8);
      phones.push(country.e164(digits));
      seeds.push({ LastName: `Lookup${i}`, MobilePhone: country.stored(digits), SystemModstamp: longAgo });
    }
    await fetch(`${url}/__sandbox/records/Contact`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(seeds),
    });
    const destination = new SalesforceDestination(
      new SalesforceTransport({
        loginUrl: url,
        apiVersion: '62.0',
        auth: {
          flow: 'client_credentials',
          clientId: DEMO_CLIENT.clientId,
          clientSecret: DEMO_CLIENT.clientSecret,
        },
      }),
    );
    const counters = async () =>
      (await (await fetch(`${url}/__sandbox/counters`)).json()) as {
        apiUsage: { used: number };
        byRoute: Record<string, number>;
      };
    const before = await counters();
    const answer = await destination.findByPhones(
      phones.map((phone) => ({ key: phone, phone })),
      { defaultRegion: 'BR' },
    );
    const found = phones.filter((phone) => (answer.get(phone)?.length ?? 0) > 0).length;
    const after = await counters();
    const route = 'GET /services/data/:version/search';
    const terms = [...new Set(phones.flatMap((phone) => numberToFind(phone).searchTerms))];
    // Searches of 4,000 characters (SOSL reference, FIND) for every term, one Composite call for the rest.
    const minimum = Math.ceil(terms.join(' OR ').length / 4000) + 1;
    return {
      numbers: options.numbers,
      calls: after.apiUsage.used - before.apiUsage.used,
      searches: (after.byRoute[route] ?? 0) - (before.byRoute[route] ?? 0),
      minimum,
      found,
    };
  } finally {
    await sandbox.close();
  }
}
