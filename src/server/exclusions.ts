import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Services } from '../services.js';
import { EXCLUSION_KINDS, type Exclusion, type ExclusionKind } from '../store/repositories/exclusions.js';
import { grantOf } from './auth.js';

export const ExclusionSchema = z
  .object({
    id: z.string(),
    kind: z.enum(EXCLUSION_KINDS),
    value: z.string().describe('The number (E.164), the group chat id, or the account id.'),
    label: z.string().optional(),
    createdAt: z.string(),
  })
  .meta({ id: 'Exclusion' });

export function exclusionDto(exclusion: Exclusion): z.infer<typeof ExclusionSchema> {
  return {
    id: exclusion.id,
    kind: exclusion.kind,
    value: exclusion.value,
    ...(exclusion.label ? { label: exclusion.label } : {}),
    createdAt: exclusion.createdAt.toISOString(),
  };
}

export const exclusionTarget = (exclusion: Exclusion) => ({
  type: 'exclusion',
  id: exclusion.id,
  label: exclusion.label ?? `${exclusion.kind} ${exclusion.value}`,
});

type ExclusionServices = Pick<Services, 'store' | 'audit'>;

/** Marks the chats an exclusion covers as changed, so the next run looks at them again (added or removed). */
export async function touchChatsOf(
  services: Pick<Services, 'store'>,
  workspaceId: string,
  exclusion: Exclusion,
): Promise<void> {
  const { store } = services;
  const db = store.sql.db;
  let query = db
    .selectFrom('chats')
    .innerJoin('accounts', 'accounts.id', 'chats.account_id')
    .select('chats.id')
    .where('accounts.workspace_id', '=', workspaceId);
  if (exclusion.kind === 'account') query = query.where('chats.account_id', '=', exclusion.value);
  else if (exclusion.kind === 'group') query = query.where('chats.id', '=', exclusion.value);
  else {
    query = query
      .innerJoin('identities', 'identities.id', 'chats.partner_identity_id')
      .where('identities.phone_e164', '=', exclusion.value);
  }
  const rows = await query.execute();
  await store.chats.advanceLastMessage(db, new Map(rows.map((row) => [row.id, 0])));
}

/**
 * Adds an exclusion (a value already checked and normalised), audits it as `exclusion.added` and
 * has the next run look at its chats again, which settles them as excluded. One already there is
 * answered as it is (`created` false), unaudited.
 */
export async function addExclusion(
  services: ExclusionServices,
  request: FastifyRequest,
  input: { kind: ExclusionKind; value: string; label: string | undefined },
): Promise<{ exclusion: Exclusion; created: boolean }> {
  const { workspaceId } = grantOf(request);
  const added = await services.store.exclusions.ensure(workspaceId, input);
  if (!added.created) return added;
  const { exclusion } = added;
  await services.audit.record(request, 'exclusion.added', exclusionTarget(exclusion), {
    kind: exclusion.kind,
    value: exclusion.value,
    label: exclusion.label,
  });
  await touchChatsOf(services, workspaceId, exclusion);
  return added;
}
