/**
 * The CRM registry: every kind of CRM wasync can connect, registered by hand. A kind is one folder
 * under src/crms/ plus one `register` line below. Connections, the API (each kind's own body under a
 * `kind` discriminator, the kinds list the workspace renders its forms from), the CLI (`wasync setup
 * <kind>`, `wasync status`) and the workspace all read this registry, never a CRM's folder.
 */

import { z } from 'zod';
import { WasyncError } from '../core/errors.js';
import type { GuardedFetch } from '../net/guarded-fetch.js';
import { bitrix24Kind } from './bitrix24/kind.js';
import type { LeakyBucketBudget } from './kit/leaky-bucket.js';
import type { RateLimiter } from './kit/rate-limiter.js';
import type { KitToken, RefreshTokenSlot, TokenStore } from './kit/token-holder.js';
import type { OAuthForm, OAuthProvider } from './oauth/provider.js';
import { salesforceKind } from './salesforce/kind.js';
import type { Destination } from './types.js';
import { zohoKind } from './zoho/kind.js';

/** What a setup did, for the CLI, the API and the workspace. */
export interface SetupReport {
  /** What setup created or changed. */
  created: string[];
  /** What was there already (a second setup changes nothing). */
  existing: string[];
  /** What a person must do in the CRM because setup could not. */
  manualSteps: string[];
}

/** One field of a kind's connection form, as the workspace renders it. */
export interface CrmFormField {
  /** Where the value goes in the body: `loginUrl`, or `auth.clientId` for a nested one. */
  name: string;
  label: string;
  type: 'text' | 'url' | 'password' | 'select' | 'textarea';
  required: boolean;
  /** Sealed at rest and never shown again. */
  secret: boolean;
  hint?: string | undefined;
  /** The hint while another field has a given value (e.g. the login URL's per sign-in flow). */
  hintWhen?: { field: string; value: string; hint: string }[] | undefined;
  /** The choices of a select. */
  options?: { value: string; label: string }[] | undefined;
  /** A select's last choice, whose value is typed in rather than picked (a My Domain URL). */
  other?: { label: string; type: 'text' | 'url'; placeholder?: string | undefined } | undefined;
  defaultValue?: string | undefined;
  placeholder?: string | undefined;
  pattern?: string | undefined;
  /** An empty text is sent as null (a setting that may be "none"); otherwise it is left out. */
  emptyAsNull?: boolean | undefined;
  /** Shown (and sent) only while another field has one of these values. */
  when?: { field: string; values: string[] } | undefined;
}

export interface CrmForm {
  /** One line on what the CRM needs before it can be connected; `backticks` mark code. */
  intro?: string | undefined;
  fields: CrmFormField[];
}

/** What a kind's factory is given of one stored connection. */
export interface OpenedConnection {
  id: string;
  workspaceId: string;
  /** The settings as stored (kept in the clear). */
  settings: Record<string, unknown>;
  /** The secrets as opened when the connection was loaded. */
  secrets: unknown;
  /** The secrets as stored now: another process may have rotated a token since. */
  readSecrets(): Promise<unknown>;
  /** Seals and stores new secrets (a rotated refresh token); resolves once durable. */
  writeSecrets(secrets: unknown): Promise<void>;
  /** The client every request to the CRM goes through. */
  guarded: GuardedFetch;
  /**
   * The connection's session as every process shares it (see kit/token-holder): the access token
   * sealed in the store, the refresh token where `refreshTokens` keeps it (with the secrets), and a
   * lease so that one process at a time signs in.
   */
  tokenStore<T extends KitToken>(refreshTokens?: RefreshTokenSlot): TokenStore<T>;
  /**
   * A leaky bucket every process shares (kit/leaky-bucket), kept in the store under `key`: the kind
   * names what the CRM counts by (`bitrix24:<portal host>`), so every connection to one portal
   * fills the same bucket. Pass the CRM's threshold less a headroom as the capacity.
   */
  rateBucket(key: string, budget: LeakyBucketBudget): RateLimiter;
  /**
   * A budget the kind keeps itself (Salesforce's, Zoho's), with its waits and refusals counted in the
   * process's metrics as a `rateBucket`'s are. A kind passes every limiter it makes through this.
   */
  limited(limiter: RateLimiter): RateLimiter;
}

/**
 * One connection, opened: it holds the connection's token holder, so setup, the connection test and
 * every sync run of the process share one sign-in.
 */
export interface CrmSession {
  destination(): Destination;
  /** Creates what the kind's setup creates; present only where the kind has a setup. */
  setUp?(): Promise<SetupReport>;
}

export interface CrmCapabilitiesView {
  /** Leads exist beside contacts. */
  leads: boolean;
  /** Open deals can be shown on the card. */
  deals: boolean;
}

// biome-ignore lint/suspicious/noExplicitAny: each kind's input schema has its own shape.
type AnyObjectSchema = z.ZodObject<any>;

export interface CrmKindDefinition {
  /** The `kind` of the API's body and of stored connections. */
  kind: string;
  /** How people see it: "Salesforce". */
  displayName: string;
  /** The API body (with `kind: z.literal(kind)`); its meta id names it in the OpenAPI document. */
  input: AnyObjectSchema;
  /** The input's paths that are sealed at rest (the form marks them secret). */
  secretFields: readonly string[];
  /** Splits a parsed input into what is kept in the clear and what is sealed. */
  split(input: unknown): { settings: Record<string, unknown>; secrets: Record<string, unknown> };
  /** Refuses an input's base URLs the outbound guard would not reach (a 4xx, nothing stored). */
  checkInput?(input: unknown, guarded: GuardedFetch): void;
  /** The settings that pick the CRM's region, portal or org URL. */
  regionSettings?: readonly string[] | undefined;
  /** How the workspace and the CLI describe a connection's settings in one line. */
  describeSettings?(settings: Record<string, unknown>): string;
  /** Opens a stored connection: the token holder lives behind this factory. */
  open(connection: OpenedConnection): CrmSession;
  /** Present where the kind prepares the CRM (`wasync setup <kind>`). */
  setup?: { description: string; label: string; done: string } | undefined;
  /** Present where a person can connect the kind by signing in at the CRM (OAuth, crms/oauth). */
  oauth?: OAuthProvider | undefined;
  /** `wasync sandbox <name>` runs a local stand-in for the kind, where there is one. */
  sandbox?: string | undefined;
  capabilities: CrmCapabilitiesView;
  form: CrmForm;
}

/** The kinds, as the API lists them for the workspace (GET /api/v1/crm-kinds). */
export interface CrmKindView {
  kind: string;
  displayName: string;
  capabilities: CrmCapabilitiesView;
  setup: { label: string; description: string } | undefined;
  sandbox: string | undefined;
  oauth: boolean;
  /** Where `oauth` is: what the workspace asks for the app and for a sign-in. */
  oauthForm: OAuthForm | undefined;
  form: CrmForm;
}

export class CrmRegistry {
  private readonly kinds = new Map<string, CrmKindDefinition>();

  /** Adds a kind; its input must carry `kind` as a literal of the same name. */
  register(definition: CrmKindDefinition): void {
    if (this.kinds.has(definition.kind)) throw new Error(`CRM kind ${definition.kind} is registered already`);
    const literal = definition.input.shape.kind;
    if (!(literal instanceof z.ZodLiteral) || literal.value !== definition.kind) {
      throw new Error(`the input of CRM kind ${definition.kind} needs kind: z.literal('${definition.kind}')`);
    }
    for (const field of definition.form.fields) {
      if (definition.secretFields.includes(field.name) !== field.secret) {
        throw new Error(`CRM kind ${definition.kind}: form field ${field.name} disagrees on being a secret`);
      }
    }
    this.kinds.set(definition.kind, definition);
  }

  unregister(kind: string): void {
    this.kinds.delete(kind);
  }

  list(): CrmKindDefinition[] {
    return [...this.kinds.values()];
  }

  get(kind: string): CrmKindDefinition | undefined {
    return this.kinds.get(kind);
  }

  /** The kind, or a 404 naming the kinds there are. */
  require(kind: string): CrmKindDefinition {
    const definition = this.kinds.get(kind);
    if (!definition) {
      throw new WasyncError(
        'not_found',
        `No CRM kind ${kind}; the kinds are ${this.names().join(', ') || 'none'}.`,
      );
    }
    return definition;
  }

  names(): [string, ...string[]] {
    const names = [...this.kinds.keys()];
    if (names.length === 0) throw new Error('no CRM kind is registered');
    return names as [string, ...string[]];
  }

  /** Every kind's body under the `kind` discriminator: one schema per kind in the OpenAPI document. */
  inputSchema() {
    const [first, ...rest] = this.list().map((definition) => definition.input);
    if (!first) throw new Error('no CRM kind is registered');
    return z.discriminatedUnion('kind', [first, ...rest]);
  }

  view(definition: CrmKindDefinition): CrmKindView {
    return {
      kind: definition.kind,
      displayName: definition.displayName,
      capabilities: definition.capabilities,
      setup: definition.setup
        ? { label: definition.setup.label, description: definition.setup.description }
        : undefined,
      sandbox: definition.sandbox,
      oauth: definition.oauth !== undefined,
      oauthForm: definition.oauth?.form,
      form: definition.form,
    };
  }
}

/** Splits an input by its secret paths (`auth.clientSecret`): the rest, `kind` and `name` aside, are settings. */
export function splitBySecretFields(
  input: Record<string, unknown>,
  secretFields: readonly string[],
): { settings: Record<string, unknown>; secrets: Record<string, unknown> } {
  const settings: Record<string, unknown> = {};
  const secrets: Record<string, unknown> = {};
  const walk = (value: Record<string, unknown>, prefix: string) => {
    for (const [key, inner] of Object.entries(value)) {
      const path = prefix ? `${prefix}.${key}` : key;
      if (!prefix && (key === 'kind' || key === 'name')) continue;
      if (secretFields.includes(path)) secrets[key] = inner;
      else if (inner && typeof inner === 'object' && !Array.isArray(inner)) {
        walk(inner as Record<string, unknown>, path);
      } else settings[key] = inner;
    }
  };
  walk(input, '');
  return { settings, secrets };
}

/** The kinds this build of wasync connects. Adding a CRM adds its line here. */
export const crmRegistry = new CrmRegistry();
crmRegistry.register(salesforceKind);
crmRegistry.register(zohoKind);
crmRegistry.register(bitrix24Kind);
