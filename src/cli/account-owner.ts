import type { Account, SourceKind } from '../core/model.js';
import type { Services } from '../services.js';

export const OWNER_OPTION = [
  '--owner <email>',
  'the person on the team the number belongs to (its chats are private to them unless shared); without it, a new number belongs to no one and only admins read it',
] as const;

/**
 * The account for a number the operator names on the command line, made with `sourceKind` when the
 * workspace has none, and given to `ownerEmail` when one is named (also an existing account: the
 * operator says whose it is).
 */
export async function operatorAccount(
  services: Pick<Services, 'store' | 'workspace'>,
  phone: string,
  sourceKind: SourceKind,
  ownerEmail: string | undefined,
): Promise<Account> {
  const { store, workspace } = services;
  const owner = ownerEmail === undefined ? undefined : await store.people.findByEmail(ownerEmail);
  if (ownerEmail !== undefined && (!owner || owner.workspaceId !== workspace.id))
    throw new Error(`--owner ${ownerEmail}: no one on the team has this e-mail`);
  const account = await store.accounts.findOrCreate(workspace.id, phone, sourceKind, owner?.id);
  if (owner && account.ownerId !== owner.id) {
    await store.access.set(account.id, { ownerId: owner.id }, undefined);
    return { ...account, ownerId: owner.id };
  }
  return account;
}
