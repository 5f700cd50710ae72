import { z } from 'zod';
import { checkVendorUrl, type VendorHosts } from '../../net/vendor-urls.js';
import { type CrmKindDefinition, splitBySecretFields } from '../registry.js';
import type { ReferenceBackend } from './backend.js';
import type { ReferenceCrm } from './crm.js';
import { ReferenceDestination } from './destination.js';
import { ReferenceHttpBackend } from './http-backend.js';
import { ReferenceMemoryBackend } from './memory-backend.js';
import { ReferenceTransport } from './transport.js';

/** The reference kind's connection body: a label (a setting) and an API key (a secret). */
export function referenceConnectionInput(kind: string) {
  return z
    .strictObject({
      kind: z.literal(kind),
      name: z.string().min(1).max(128),
      workspaceLabel: z
        .string()
        .trim()
        .max(128)
        .optional()
        .describe('Which of the CRM’s workspaces to write to.'),
      apiKey: z.string().min(1).describe('The CRM’s API key (stored encrypted).'),
      baseUrl: z
        .url({ protocol: /^https?$/ })
        .optional()
        .describe('The reference CRM sandbox to reach over HTTP; without it, the in-memory CRM.'),
    })
    .meta({ id: `${kind[0]?.toUpperCase()}${kind.slice(1)}ConnectionInput` });
}

/** The reference CRM has no public hosts: its sandbox is reached where an admin allow-listed it. */
const REFERENCE_HOSTS: VendorHosts = {
  vendor: 'the reference CRM',
  described: 'an allow-listed host running its sandbox',
  matches: () => false,
};

const Settings = z.object({ workspaceLabel: z.string().optional(), baseUrl: z.string().optional() });
const Secrets = z.object({ apiKey: z.string() });

/**
 * The reference destination as a registry entry. It is not registered in production: a test
 * registers it (under any kind name) to show that a CRM is one folder plus one registry line. A
 * connection with a `baseUrl` speaks HTTP to the reference CRM sandbox (src/sandboxes/reference);
 * one without writes to `crm` in memory: the same destination over either backend. Without `crm` (a process that reaches the sandbox only), the
 * form asks for the base URL.
 */
export function referenceKind(
  crm: ReferenceCrm | undefined,
  options: {
    kind?: string;
    leads?: boolean;
    deals?: boolean;
    attachments?: 'after' | 'inline';
    keys?: 'external-id' | 'marker';
  } = {},
): CrmKindDefinition {
  const kind = options.kind ?? 'reference';
  const input = referenceConnectionInput(kind);
  const secretFields = ['apiKey'];
  const leads = options.leads ?? true;
  const deals = options.deals ?? false;
  return {
    kind,
    displayName: 'Reference CRM',
    input,
    secretFields,
    split: (given) => splitBySecretFields(input.parse(given), secretFields),
    checkInput: (given, guarded) => {
      const { baseUrl } = input.parse(given);
      if (baseUrl !== undefined) checkVendorUrl(baseUrl, REFERENCE_HOSTS, guarded.allow, 'baseUrl');
    },
    describeSettings: (settings) =>
      typeof settings.workspaceLabel === 'string'
        ? `workspace ${settings.workspaceLabel}`
        : typeof settings.baseUrl === 'string'
          ? `at ${settings.baseUrl}`
          : 'in memory',
    open: (connection) => {
      const { baseUrl } = Settings.parse(connection.settings);
      const { apiKey } = Secrets.parse(connection.secrets);
      const { attachments, keys } = options;
      let backend: ReferenceBackend;
      if (baseUrl !== undefined) {
        backend = new ReferenceHttpBackend(
          new ReferenceTransport({ baseUrl, apiKey, fetch: connection.guarded }),
        );
      } else if (crm) {
        backend = new ReferenceMemoryBackend(crm, apiKey);
      } else {
        throw new Error(`the ${kind} connection names no baseUrl, and no in-memory CRM is registered`);
      }
      return {
        destination: () => new ReferenceDestination(backend, { leads, deals, attachments, keys }, kind),
      };
    },
    capabilities: { leads, deals },
    form: {
      intro: 'An in-memory CRM for tests.',
      fields: [
        {
          name: 'name',
          label: 'Name',
          type: 'text',
          required: true,
          secret: false,
          defaultValue: 'Reference CRM',
        },
        { name: 'workspaceLabel', label: 'Workspace', type: 'text', required: false, secret: false },
        { name: 'apiKey', label: 'API key', type: 'password', required: true, secret: true },
        ...(crm
          ? []
          : [
              {
                name: 'baseUrl',
                label: 'Base URL',
                type: 'url' as const,
                required: true,
                secret: false,
                placeholder: 'http://127.0.0.1:4200',
              },
            ]),
      ],
    },
  };
}
