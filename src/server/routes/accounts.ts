import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import { ACCOUNT_VISIBILITIES, type Account, SOURCE_KINDS } from '../../core/model.js';
import { normalizePhone } from '../../core/phone.js';
import { defaultRegionOf, type Services } from '../../services.js';
import { CloudAccountInput, CloudAccountUpdate } from '../../sources/whatsapp-cloud/service.js';
import type { AccountAccess } from '../../store/repositories/account-access.js';
import { ChatAccess } from '../access.js';
import { grantOf, requireAdmin } from '../auth.js';
import { AccountSchema, accountDto } from '../dto.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';

const CreateAccountSchema = z
  .strictObject({
    phone: z.string().min(1).max(64).describe('The WhatsApp number, in any spelling.'),
    sourceKind: z.enum(SOURCE_KINDS).optional().describe('How its messages arrive. Default rest.'),
    displayName: z.string().min(1).max(256).optional(),
    visibility: z
      .enum(ACCOUNT_VISIBILITIES)
      .optional()
      .describe(
        'team: everyone on the team reads its chats; private: you, the people you share it with, and admins. ' +
          "Default private for linked_device and chat_export (a rep's own phone), team otherwise.",
      ),
    cloud: CloudAccountInput.optional().describe('Required when sourceKind is whatsapp_cloud.'),
  })
  .meta({ id: 'CreateAccount' });

const AccessChangeSchema = z
  .strictObject({
    ownerId: z
      .string()
      .min(1)
      .nullable()
      .optional()
      .describe('A person on the team; null (admins only) gives the number to no one.'),
    visibility: z.enum(ACCOUNT_VISIBILITIES).optional(),
    sharedWith: z
      .array(z.string().min(1))
      .max(500)
      .optional()
      .describe('The whole list of people who read its chats besides the owner (replaces the list).'),
  })
  .meta({ id: 'AccountAccessChange' });

export function accountRoutes(services: Services): FastifyPluginAsyncZod {
  const { store, config, cloud, audit } = services;
  const cloudOf = async (accountId: string, request: { protocol: string; host: string }) => {
    const view = await cloud.view(accountId);
    return view && { view, origin: config.publicUrl ?? `${request.protocol}://${request.host}` };
  };
  const access = new ChatAccess(services);
  /** Accounts as a request sees them: with their access, and the linked-device and cloud state. */
  const viewsOf = async (request: FastifyRequest, accounts: readonly Account[]) => {
    const { workspaceId } = grantOf(request);
    const [stats, clouds, linked, views, health] = await Promise.all([
      store.accounts.stats(workspaceId),
      Promise.all(
        accounts.map((a) => (a.sourceKind === 'whatsapp_cloud' ? cloudOf(a.id, request) : undefined)),
      ),
      store.whatsappWebSessions.getMany(accounts.map((a) => a.id)),
      access.views(request, accounts),
      services.alerts.health.accounts(accounts, services.alerts.now()),
    ]);
    return accounts.map((a, i) =>
      accountDto(a, stats.get(a.id), clouds[i], linked.get(a.id), views.get(a.id), health.get(a.id)),
    );
  };
  const viewOf = async (request: FastifyRequest, account: Account) => {
    const [view] = await viewsOf(request, [account]);
    if (!view) throw new WasyncError('not_found', `No account ${account.id}.`);
    return view;
  };
  /**
   * Members see the numbers whose chats they read; admins see every number (to manage it), each with
   * `access.yours` saying whether they read its chats.
   */
  const visibleAccount = async (request: FastifyRequest, accountId: string): Promise<Account> => {
    const grant = grantOf(request);
    if (grant.role !== 'admin') return access.account(request, accountId);
    const account = await store.accounts.get(grant.workspaceId, accountId);
    if (!account) throw new WasyncError('not_found', `No account ${accountId}.`);
    return account;
  };
  return async (app) => {
    app.post(
      '/accounts',
      {
        schema: {
          tags: ['accounts'],
          summary: 'Connect a WhatsApp number',
          body: CreateAccountSchema,
          response: {
            201: AccountSchema,
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const { workspaceId, role, userId } = grantOf(request);
        // Where wasync sends the account's token and fetches its media from is an admin's choice.
        if (request.body.cloud?.graphBaseUrl !== undefined && role !== 'admin')
          throw new WasyncError('forbidden', 'Only an admin may set cloud.graphBaseUrl.', {
            field: 'cloud.graphBaseUrl',
          });
        const phone = normalizePhone(request.body.phone, { defaultRegion: defaultRegionOf(services) });
        if (!phone.ok)
          throw new WasyncError('invalid_phone', `${request.body.phone}: ${phone.message}`, {
            field: 'phone',
          });
        const sourceKind = request.body.sourceKind ?? (request.body.cloud ? 'whatsapp_cloud' : 'rest');
        const cloudInput = request.body.cloud;
        if ((sourceKind === 'whatsapp_cloud') !== (cloudInput !== undefined)) {
          throw new WasyncError(
            'validation_failed',
            'A whatsapp_cloud account needs `cloud`, and only such an account takes it.',
            { issues: [{ field: 'cloud', message: `sourceKind is ${sourceKind}` }] },
          );
        }
        const account = await store.accounts.create({
          workspaceId,
          phone: phone.e164,
          sourceKind,
          displayName: request.body.displayName,
          ownerId: userId,
          visibility: request.body.visibility,
        });
        if (!account) throw new WasyncError('conflict', `An account for ${phone.e164} already exists.`);
        if (cloudInput) {
          try {
            await cloud.configure(account, cloudInput);
          } catch (error) {
            await store.sql.db.deleteFrom('accounts').where('id', '=', account.id).execute();
            throw error;
          }
        }
        await audit.record(
          request,
          'account.created',
          { type: 'account', id: account.id, label: account.phone },
          {
            sourceKind: account.sourceKind,
            displayName: account.displayName,
            visibility: account.visibility,
          },
        );
        return reply.status(201).send(await viewOf(request, account));
      },
    );

    app.get(
      '/accounts',
      {
        schema: {
          tags: ['accounts'],
          summary: 'List connected WhatsApp numbers',
          response: { 200: z.object({ data: z.array(AccountSchema) }) },
        },
      },
      async (request) => {
        const { workspaceId, role } = grantOf(request);
        let accounts = await store.accounts.list(workspaceId);
        if (role !== 'admin') {
          const readable = await access.readable(request);
          if (readable !== 'all') accounts = accounts.filter((a) => readable.has(a.id));
        }
        return { data: await viewsOf(request, accounts) };
      },
    );

    app.get(
      '/accounts/:accountId',
      {
        schema: {
          tags: ['accounts'],
          summary: 'One connected WhatsApp number, with its chat and message counts',
          params: z.object({ accountId: z.string() }),
          response: { 200: AccountSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        return await viewOf(request, await visibleAccount(request, request.params.accountId));
      },
    );

    app.patch(
      '/accounts/:accountId/cloud',
      {
        schema: {
          tags: ['accounts'],
          summary: "Change a Cloud API account's settings: rotate its access token or app secret",
          description:
            'Admin only. Fields left out keep their value; the secrets are sealed again and never come back.',
          params: z.object({ accountId: z.string() }),
          body: CloudAccountUpdate,
          response: {
            200: AccountSchema,
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        const account = await store.accounts.get(workspaceId, request.params.accountId);
        if (!account) throw new WasyncError('not_found', `No account ${request.params.accountId}.`);
        const view = await cloud.reconfigure(account.id, request.body);
        if (!view) {
          throw new WasyncError('not_found', `Account ${account.id} is not a WhatsApp Cloud API account.`);
        }
        // Which settings changed, by name: the new values may be secrets.
        await audit.record(
          request,
          'account.updated',
          { type: 'account', id: account.id, label: account.phone },
          { changed: Object.keys(request.body).sort() },
        );
        return await viewOf(request, account);
      },
    );

    app.put(
      '/accounts/:accountId/access',
      {
        schema: {
          tags: ['accounts'],
          summary:
            "Change who reads a number's chats: its owner, visibility and the people it is shared with",
          description:
            "The number's owner or an admin. Fields left out keep their value; `sharedWith` replaces the list. " +
            'It holds from the next request on, including for pages already open.',
          params: z.object({ accountId: z.string() }),
          body: AccessChangeSchema,
          response: {
            200: AccountSchema,
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const grant = grantOf(request);
        const account = await visibleAccount(request, request.params.accountId);
        if (!access.mayManage(request, account))
          throw new WasyncError(
            'forbidden',
            `Only the owner of ${account.phone} or an admin may change who reads it.`,
          );
        const { ownerId, visibility, sharedWith } = request.body;
        if (ownerId === null && grant.role !== 'admin')
          throw new WasyncError('forbidden', 'Only an admin may give a number to no one.', {
            field: 'ownerId',
          });
        const team = new Set((await store.people.list(grant.workspaceId)).map((user) => user.id));
        const unknown = [
          ...(ownerId && !team.has(ownerId)
            ? [{ field: 'ownerId', message: `${ownerId} is not on the team` }]
            : []),
          ...(sharedWith ?? [])
            .map((id, i) => ({ id, i }))
            .filter(({ id }) => !team.has(id))
            .map(({ id, i }) => ({ field: `sharedWith.${i}`, message: `${id} is not on the team` })),
        ];
        if (unknown.length > 0)
          throw new WasyncError('validation_failed', 'Name people who are on the team.', { issues: unknown });
        const before = (await store.access.of([account.id])).get(account.id);
        await store.access.set(account.id, { ownerId, visibility, sharedWith }, grant.userId);
        const changed = await store.accounts.get(grant.workspaceId, account.id);
        if (!changed) throw new WasyncError('not_found', `No account ${account.id}.`);
        const after = (await store.access.of([account.id])).get(account.id);
        // Who may read the number's chats, before and after: an admin sharing a rep's phone with
        // themselves shows here.
        const people = (access?: AccountAccess) => ({
          owner: access?.owner?.email ?? null,
          visibility: access?.visibility,
          sharedWith: access?.sharedWith.map((p) => p.email) ?? [],
        });
        await audit.record(
          request,
          'account.access_changed',
          { type: 'account', id: account.id, label: account.phone },
          { from: people(before), to: people(after) },
        );
        return await viewOf(request, changed);
      },
    );

    app.get(
      '/team',
      {
        schema: {
          tags: ['accounts'],
          summary: 'The people on the team, to share a number with',
          response: {
            200: z.object({
              data: z.array(z.object({ id: z.string(), name: z.string(), email: z.string() })),
            }),
          },
        },
      },
      async (request) => {
        const { workspaceId } = grantOf(request);
        const people = await store.people.list(workspaceId);
        return { data: people.map(({ id, name, email }) => ({ id, name, email })) };
      },
    );
  };
}
