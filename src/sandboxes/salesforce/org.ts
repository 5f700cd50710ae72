import { randomUUID } from 'node:crypto';
import { ApiUsage, RequestCounters } from './api-usage.js';
import { TokenStore } from './auth/token-store.js';
import { FaultInjector } from './faults.js';
import { newSalesforceId } from './ids.js';
import type { OAuthClient, ResolvedOptions } from './options.js';
import { WHATSAPP_CHAT_METADATA } from './schema/whatsapp-chat.js';
import { SerialLock } from './serial-lock.js';
import { SearchIndex, withSearchIndexing } from './sosl/search-index.js';
import { CONTENT_TRIGGERS } from './store/content-triggers.js';
import { OrgStore } from './store/org-store.js';

/**
 * Everything one sandbox org holds in memory: data, schema, sessions, API usage, counters and the
 * fault generator. Routes receive it; `reset()` returns it to its starting state.
 */
export class SandboxOrg {
  readonly orgId = newSalesforceId('00D');
  /** The user every API session runs as unless a JWT `sub` names another seeded User. */
  readonly integrationUserId = newSalesforceId('005');
  readonly store: OrgStore;
  /** What SOSL searches: phone fields, indexed `searchIndexLagMs` after each write. */
  readonly searchIndex: SearchIndex;
  readonly tokens: TokenStore;
  readonly usage: ApiUsage;
  readonly counters = new RequestCounters();
  readonly faults: FaultInjector;
  /** Marks composite subrequests replayed through `app.inject`, so they are not counted or faulted twice. */
  readonly subrequestSecret = randomUUID();
  /** Held by each API request from admission to response; see SerialLock for why. */
  readonly lock = new SerialLock();
  /** Requests held open by timeout faults; close() releases them. */
  readonly hungRequests = new Set<AbortController>();

  constructor(readonly options: ResolvedOptions) {
    this.searchIndex = new SearchIndex(options.searchIndexLagMs, options.clock);
    this.store = new OrgStore(options.clock, withSearchIndexing(CONTENT_TRIGGERS, this.searchIndex));
    this.tokens = new TokenStore(this.orgId, options.tokenTtlMs, options.clock);
    this.usage = new ApiUsage(options.dailyRequestLimit, options.clock);
    this.faults = new FaultInjector(options.faults);
    this.seedBaseline();
  }

  client(clientId: unknown): OAuthClient | undefined {
    return this.options.clients.find((c) => c.clientId === clientId);
  }

  /** The seeded User whose Username is `subject`, else the integration user. */
  userFor(subject: string | undefined): string {
    const user = this.store.all('User').find((u) => subject !== undefined && u.fields.Username === subject);
    return user?.id ?? this.integrationUserId;
  }

  reset(): void {
    this.store.reset();
    this.searchIndex.reset();
    this.tokens.reset();
    this.usage.reset();
    this.counters.reset();
    this.faults.reset();
    this.seedBaseline();
  }

  private seedBaseline(): void {
    this.store.putSystemRecord(
      'User',
      {
        Id: this.integrationUserId,
        Username: 'integration@wasync.sandbox',
        FirstName: 'Sandbox',
        LastName: 'Integration',
        Email: 'integration@wasync.sandbox',
        Alias: 'sbxint',
        IsActive: true,
      },
      this.integrationUserId,
    );
    if (this.options.customObjectDeployed) this.store.schema.addCustomObject(WHATSAPP_CHAT_METADATA);
  }
}
