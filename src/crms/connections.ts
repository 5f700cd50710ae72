import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { WasyncError } from '../core/errors.js';
import { SecretBox } from '../core/secret-box.js';
import type { GuardedFetch } from '../net/guarded-fetch.js';
import { checkVendorUrl, SALESFORCE } from '../net/vendor-urls.js';
import type { CrmConnectionRepository, StoredConnection } from '../store/repositories/crm-connections.js';
import { composeTokenStore, storeLease, type TokenStore } from './kit/token-holder.js';
import type { SalesforceToken } from './salesforce/auth.js';
import {
  refreshTokenOf,
  SalesforceConnectionInput,
  salesforceDestination,
  salesforceSignIn,
  salesforceTransport,
  splitSalesforceInput,
  withRefreshToken,
} from './salesforce/connection.js';
import { type SetupReport, setUpSalesforce } from './salesforce/setup/index.js';
import type { RefreshTokenStore, SalesforceSignIn } from './salesforce/sign-in.js';
import type { Destination } from './types.js';

/**
 * How long one process may hold a connection's sign-in lease: longer than a token request may take
 * (60 s), short enough that a process that died mid-refresh does not hold the others up for long.
 */
const TOKEN_LEASE_MS = 90_000;

/** The input of every CRM kind wasync can connect (one schema per kind, registered here by hand). */
export const ConnectionInput = SalesforceConnectionInput;
export type ConnectionInput = z.input<typeof ConnectionInput>;

/** What the API and the CLI show of a connection: never a secret. */
export interface ConnectionView {
  id: string;
  kind: string;
  name: string;
  settings: Record<string, unknown>;
  state: 'active' | 'parked';
  parkedReason: string | undefined;
  createdAt: Date;
}

/**
 * CRM connections: stored with their secrets sealed (bound to the connection's id), opened only to
 * build a destination. The registry of kinds is this file; adding Zoho or Bitrix24 adds a case here.
 */
export class ConnectionService {
  private readonly box: SecretBox;
  /**
   * One token holder per connection in this process, shared by setup, the connection test and the
   * sync: one sign-in serves them all, and a refresh token an org rotates is never spent twice here.
   */
  private readonly signIns = new Map<string, SalesforceSignIn>();
  /** This process's name on the token leases it takes. */
  private readonly leaseHolder = `process:${randomUUID()}`;

  /**
   * `guarded` is the client every CRM request goes through; its allow-list also decides which base
   * URLs a connection may name beside the vendor's own hosts.
   */
  constructor(
    private readonly repository: CrmConnectionRepository,
    secretKey: string,
    private readonly guarded: GuardedFetch,
  ) {
    this.box = new SecretBox(secretKey);
  }

  /** Stores a connection; `input` is checked (and its defaults filled) here, whoever calls. */
  async create(workspaceId: string, given: ConnectionInput): Promise<ConnectionView> {
    const input = ConnectionInput.parse(given);
    checkVendorUrl(input.loginUrl, SALESFORCE, this.guarded.allow, 'loginUrl');
    const { settings, secrets } = splitSalesforceInput(input);
    const id = this.repository.newId();
    const stored = await this.repository.create({
      id,
      workspaceId,
      kind: input.kind,
      name: input.name,
      settings,
      sealedCredentials: this.box.seal(JSON.stringify(secrets), id),
    });
    if (!stored) throw new WasyncError('conflict', `A connection named ${input.name} already exists.`);
    return view(stored);
  }

  async list(workspaceId: string): Promise<ConnectionView[]> {
    return (await this.repository.list(workspaceId)).map(view);
  }

  async get(workspaceId: string, idOrName: string): Promise<ConnectionView> {
    return view(await this.stored(workspaceId, idOrName));
  }

  async delete(workspaceId: string, idOrName: string): Promise<void> {
    const stored = await this.stored(workspaceId, idOrName);
    await this.repository.delete(workspaceId, stored.id);
    this.signIns.delete(stored.id);
  }

  /** A destination for the connection, signed in lazily on its first call. */
  async destination(workspaceId: string, idOrName: string): Promise<Destination> {
    const stored = await this.stored(workspaceId, idOrName);
    return salesforceDestination(stored.settings, this.signInOf(stored));
  }

  /** Stops syncing the connection until a person fixes what `reason` says. */
  async park(id: string, reason: string): Promise<void> {
    await this.repository.setState(id, { parked: true, reason });
  }

  async unpark(id: string): Promise<void> {
    await this.repository.setState(id, { parked: false });
  }

  /** Creates the CRM-side objects wasync writes into (Salesforce: the WhatsApp_Chat__c object). */
  async setUp(workspaceId: string, idOrName: string): Promise<SetupReport> {
    const stored = await this.stored(workspaceId, idOrName);
    return setUpSalesforce(salesforceTransport(stored.settings, this.signInOf(stored)));
  }

  private signInOf(stored: StoredConnection): SalesforceSignIn {
    let signIn = this.signIns.get(stored.id);
    if (!signIn) {
      signIn = salesforceSignIn(
        stored.settings,
        this.secrets(stored),
        this.refreshTokens(stored),
        this.guarded,
        this.tokenStore(stored),
      );
      this.signIns.set(stored.id, signIn);
    }
    return signIn;
  }

  /**
   * The connection's refresh token as the store holds it: read fresh before each refresh (another
   * process may have rotated it), written as soon as the org rotates it, before the new session is used.
   */
  private refreshTokens(stored: StoredConnection): RefreshTokenStore {
    const current = async () => {
      const row = await this.repository.find(stored.workspaceId, stored.id);
      if (!row) throw new WasyncError('not_found', `No CRM connection ${stored.id}.`);
      return this.secrets(row);
    };
    return {
      read: async () => refreshTokenOf(await current()),
      write: async (refreshToken) => {
        const secrets = withRefreshToken(await current(), refreshToken);
        await this.repository.updateCredentials(stored.id, this.box.seal(JSON.stringify(secrets), stored.id));
      },
    };
  }

  /**
   * The connection's session as every process shares it: the access token sealed in the store, the
   * refresh token with the other secrets, and a lease row so that one process at a time refreshes.
   */
  private tokenStore(stored: StoredConnection): TokenStore<SalesforceToken> {
    const binding = `${stored.id}:session`;
    return composeTokenStore<SalesforceToken>({
      session: {
        read: async () => {
          const sealed = await this.repository.tokenSession(stored.id);
          if (sealed === undefined) return undefined;
          try {
            return JSON.parse(this.box.open(sealed, binding)) as SalesforceToken;
          } catch {
            // Sealed under another key (the secret key was replaced): sign in afresh.
            return undefined;
          }
        },
        write: (token) =>
          this.repository.storeTokenSession(stored.id, this.box.seal(JSON.stringify(token), binding)),
      },
      refreshTokens: this.refreshTokens(stored),
      exclusive: storeLease(
        {
          acquire: (holder, until, now) => this.repository.acquireTokenLease(stored.id, holder, until, now),
          release: (holder) => this.repository.releaseTokenLease(stored.id, holder),
        },
        { holder: this.leaseHolder, leaseMs: TOKEN_LEASE_MS },
      ),
    });
  }

  private secrets(stored: StoredConnection): unknown {
    return JSON.parse(this.box.open(stored.sealedCredentials, stored.id));
  }

  private async stored(workspaceId: string, idOrName: string): Promise<StoredConnection> {
    const stored = await this.repository.find(workspaceId, idOrName);
    if (!stored) throw new WasyncError('not_found', `No CRM connection ${idOrName}.`);
    return stored;
  }
}

function view(stored: StoredConnection): ConnectionView {
  return {
    id: stored.id,
    kind: stored.kind,
    name: stored.name,
    settings: stored.settings,
    state: stored.state,
    parkedReason: stored.parkedReason,
    createdAt: stored.createdAt,
  };
}
