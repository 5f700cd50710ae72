import { randomUUID } from 'node:crypto';
import type { AuthorizationCodes } from '../kit/authorization-codes.js';
import { RequestCounters } from '../kit/counters.js';
import { FaultGate } from '../kit/faults.js';
import type { TokenStore } from '../kit/oauth-tokens.js';
import { ApiUsage } from './api-usage.js';
import { orgAuthorizationCodes, orgTokenStore } from './auth/tokens.js';
import type { SalesforceFault } from './faults.js';
import { newSalesforceId } from './ids.js';
import { LayoutStore } from './metadata/layouts.js';
import { DEMO_USERNAME, type OAuthClient, type ResolvedOptions } from './options.js';
import { WHATSAPP_CHAT_METADATA } from './schema/whatsapp-chat.js';
import { SerialLock } from './serial-lock.js';
import { SearchIndex, withSearchIndexing } from './sosl/search-index.js';
import { CONTENT_TRIGGERS } from './store/content-triggers.js';
import { OrgStore } from './store/org-store.js';
import { PERMISSION_TRIGGERS } from './store/permission-triggers.js';

/**
 * Everything one sandbox org holds in memory: data, schema, sessions, API usage, counters and the
 * fault generator. Routes receive it; `reset()` returns it to its starting state.
 */
export class SandboxOrg {
  readonly orgId = newSalesforceId('00D');
  /** The user every API session runs as unless a JWT `sub` names another seeded User. */
  readonly integrationUserId = newSalesforceId('005');
  readonly store: OrgStore;
  /** Page layouts, read and changed through the Metadata API. */
  readonly layouts: LayoutStore;
  /** What SOSL searches: phone fields, indexed `searchIndexLagMs` after each write. */
  readonly searchIndex: SearchIndex;
  readonly tokens: TokenStore;
  /** The web server flow: consent requests and authorization codes. */
  readonly authorizations: AuthorizationCodes;
  readonly usage: ApiUsage;
  readonly counters = new RequestCounters();
  /** Draws the injected faults and carries out timeouts (see the sandbox kit). */
  readonly faults: FaultGate<SalesforceFault>;
  /** Marks composite subrequests replayed through `app.inject`, so they are not counted or faulted twice. */
  readonly subrequestSecret = randomUUID();
  /** Held by each API request from admission to response; see SerialLock for why. */
  readonly lock = new SerialLock();
  /** Records locked as an approval process locks them (tests lock them through /__sandbox/locks). */
  readonly lockedRecords = new Set<string>();

  constructor(readonly options: ResolvedOptions) {
    this.layouts = new LayoutStore(options.lockedLayouts);
    this.searchIndex = new SearchIndex(options.searchIndexLagMs, options.clock);
    this.store = new OrgStore(
      options.clock,
      withSearchIndexing(new Map([...CONTENT_TRIGGERS, ...PERMISSION_TRIGGERS]), this.searchIndex),
    );
    this.tokens = orgTokenStore(this.orgId, options.tokenTtlMs, options.clock);
    this.authorizations = orgAuthorizationCodes(options.clock);
    this.usage = new ApiUsage(options.dailyRequestLimit, options.clock);
    this.faults = new FaultGate(options.faults, this.counters);
    this.seedBaseline();
  }

  client(clientId: unknown): OAuthClient | undefined {
    return this.options.clients.find((c) => c.clientId === clientId);
  }

  /** The seeded User whose Username is `subject`, else the integration user. */
  userFor(subject: string | undefined): string {
    return (subject === undefined ? undefined : this.userNamed(subject))?.id ?? this.integrationUserId;
  }

  /** The User with this Username, and whether it is active. */
  userNamed(username: string): { id: string; active: boolean } | undefined {
    const user = this.store.all('User').find((u) => u.fields.Username === username);
    return user && { id: user.id, active: user.fields.IsActive !== false };
  }

  reset(): void {
    this.store.reset();
    this.lockedRecords.clear();
    this.layouts.reset();
    this.searchIndex.reset();
    this.tokens.reset();
    this.authorizations.reset();
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
        Username: DEMO_USERNAME,
        FirstName: 'Sandbox',
        LastName: 'Integration',
        Email: 'integration@wasync.sandbox',
        Alias: 'sbxint',
        IsActive: true,
      },
      this.integrationUserId,
    );
    const sources = this.options.leadSourceValues;
    if (sources)
      for (const object of ['Contact', 'Lead'])
        this.store.schema.setPicklistValues(object, 'LeadSource', sources);
    if (this.options.customObjectDeployed) this.deployWhatsAppChat();
  }

  /** What `wasync setup salesforce` leaves behind: the object, and its fields granted to the integration user. */
  private deployWhatsAppChat(): void {
    const def = this.store.schema.addCustomObject(WHATSAPP_CHAT_METADATA);
    const ctx = { userId: this.integrationUserId, seeding: true };
    const set = this.store.insert(
      'PermissionSet',
      { Name: 'WhatsApp_Backup', Label: 'WhatsApp Backup' },
      ctx,
    );
    this.store.insert(
      'ObjectPermissions',
      {
        ParentId: set.id,
        SobjectType: def.name,
        PermissionsRead: true,
        PermissionsCreate: true,
        PermissionsEdit: true,
      },
      ctx,
    );
    for (const field of def.fields.filter((f) => f.requiresGrant)) {
      this.store.insert(
        'FieldPermissions',
        {
          ParentId: set.id,
          SobjectType: def.name,
          Field: `${def.name}.${field.name}`,
          PermissionsRead: true,
          PermissionsEdit: true,
        },
        ctx,
      );
    }
    this.store.insert(
      'PermissionSetAssignment',
      { PermissionSetId: set.id, AssigneeId: this.integrationUserId },
      ctx,
    );
  }
}
