import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import { SOURCE_KINDS } from '../../core/model.js';
import { normalizePhone } from '../../core/phone.js';
import { defaultRegionOf, type Services } from '../../services.js';
import { CloudAccountInput, CloudAccountUpdate } from '../../sources/whatsapp-cloud/service.js';
import { grantOf, requireAdmin } from '../auth.js';
import { AccountSchema, accountDto } from '../dto.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';

const CreateAccountSchema = z
  .strictObject({
    phone: z.string().min(1).max(64).describe('The WhatsApp number, in any spelling.'),
    sourceKind: z.enum(SOURCE_KINDS).optional().describe('How its messages arrive. Default rest.'),
    displayName: z.string().min(1).max(256).optional(),
    cloud: CloudAccountInput.optional().describe('Required when sourceKind is whatsapp_cloud.'),
  })
  .meta({ id: 'CreateAccount' });

export function accountRoutes(services: Services): FastifyPluginAsyncZod {
  const { store, config, cloud, audit } = services;
  const cloudOf = async (accountId: string, request: { protocol: string; host: string }) => {
    const view = await cloud.view(accountId);
    return view && { view, origin: config.publicUrl ?? `${request.protocol}://${request.host}` };
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
        const { workspaceId, role } = grantOf(request);
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
          { sourceKind: account.sourceKind, displayName: account.displayName },
        );
        return reply.status(201).send(accountDto(account, undefined, await cloudOf(account.id, request)));
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
        const { workspaceId } = grantOf(request);
        const [accounts, stats] = await Promise.all([
          store.accounts.list(workspaceId),
          store.accounts.stats(workspaceId),
        ]);
        const clouds = await Promise.all(
          accounts.map((a) => (a.sourceKind === 'whatsapp_cloud' ? cloudOf(a.id, request) : undefined)),
        );
        const linked = await store.whatsappWebSessions.getMany(accounts.map((a) => a.id));
        return { data: accounts.map((a, i) => accountDto(a, stats.get(a.id), clouds[i], linked.get(a.id))) };
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
        const { workspaceId } = grantOf(request);
        const account = await store.accounts.get(workspaceId, request.params.accountId);
        if (!account) throw new WasyncError('not_found', `No account ${request.params.accountId}.`);
        const stats = await store.accounts.stats(workspaceId);
        const linked = await store.whatsappWebSessions.get(account.id);
        return accountDto(account, stats.get(account.id), await cloudOf(account.id, request), linked);
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
        const stats = await store.accounts.stats(workspaceId);
        return accountDto(account, stats.get(account.id), await cloudOf(account.id, request));
      },
    );
  };
}
