import { z } from 'zod';
import { type CrmKindDefinition, splitBySecretFields } from '../registry.js';
import type { ReferenceCrm } from './crm.js';
import { ReferenceDestination } from './destination.js';

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
    })
    .meta({ id: `${kind[0]?.toUpperCase()}${kind.slice(1)}ConnectionInput` });
}

const Settings = z.object({ workspaceLabel: z.string().optional() });
const Secrets = z.object({ apiKey: z.string() });

/**
 * The reference destination as a registry entry, over one in-memory CRM. It is not registered in
 * production: a test registers it (under any kind name) to show that a CRM is one folder plus one
 * registry line.
 */
export function referenceKind(
  crm: ReferenceCrm,
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
    describeSettings: (settings) =>
      typeof settings.workspaceLabel === 'string' ? `workspace ${settings.workspaceLabel}` : 'in memory',
    open: (connection) => {
      Settings.parse(connection.settings);
      const { apiKey } = Secrets.parse(connection.secrets);
      const { attachments, keys } = options;
      return {
        destination: () => new ReferenceDestination(crm, { apiKey, leads, deals, attachments, keys }, kind),
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
      ],
    },
  };
}
