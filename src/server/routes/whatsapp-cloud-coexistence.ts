import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WasyncError } from '../../core/errors.js';
import type { Services } from '../../services.js';
import { SYNC_TYPES } from '../../store/repositories/whatsapp-cloud.js';
import { requireAdmin } from '../auth.js';
import { CloudCoexistenceSchema, coexistenceDto } from '../dto.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';

const HistorySyncSchema = z
  .strictObject({
    syncTypes: z
      .array(z.enum(SYNC_TYPES))
      .min(1)
      .optional()
      .describe(
        'Which to ask: smb_app_state_sync (contacts), history (chats). Default: those not accepted yet.',
      ),
  })
  .meta({ id: 'CloudHistorySync' });

/**
 * `POST /api/v1/accounts/{id}/cloud/history-sync`: asks Meta again for a coexistence number's contacts
 * and chat history (`smb_app_data`) while the 24 hours after onboarding last. Admin only.
 */
export function whatsappCloudCoexistenceRoutes(services: Services): FastifyPluginAsyncZod {
  const { store, cloud, audit } = services;
  return async (app) => {
    app.post(
      '/accounts/:accountId/cloud/history-sync',
      {
        schema: {
          tags: ['accounts'],
          summary: "Ask Meta for a coexistence number's chat history and contacts",
          description:
            'Admin only. For a Cloud API number shared with the WhatsApp Business app (`cloud.coexistence`), within 24 hours of ' +
            'onboarding (`coexistence_window_closed` after). Each sync type can be asked of Meta once: asking again is refused by ' +
            'Meta (`coexistence_sync_refused`, code 2593107). Every attempt is recorded in `cloud.coexistence.requests`.',
          params: z.object({ accountId: z.string() }),
          body: HistorySyncSchema.nullish(),
          response: {
            200: z.object({ coexistence: CloudCoexistenceSchema }),
            400: ErrorEnvelopeSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
            502: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        const account = await store.accounts.get(workspaceId, request.params.accountId);
        if (!account) throw new WasyncError('not_found', `No account ${request.params.accountId}.`);
        const results = await cloud.requestHistory(account.id, request.body?.syncTypes);
        if (!results)
          throw new WasyncError('not_found', `Account ${account.id} is not a WhatsApp Cloud API account.`);
        await audit.record(
          request,
          'account.updated',
          { type: 'account', id: account.id, label: account.phone },
          { historySync: results.map((r) => ({ syncType: r.syncType, accepted: 'requestId' in r.outcome })) },
        );
        const refused = results.flatMap(({ syncType, outcome }) =>
          'error' in outcome ? [{ syncType, code: outcome.errorCode, message: outcome.error }] : [],
        );
        if (refused.length > 0)
          throw new WasyncError(
            'coexistence_sync_refused',
            `Meta refused the ${refused.map((r) => r.syncType).join(' and ')} sync request: ${refused[0]?.message}`,
            { refused },
          );
        const view = await cloud.view(account.id);
        if (!view?.coexistence) throw new Error('the coexistence settings just used are gone');
        return { coexistence: coexistenceDto(view.coexistence) };
      },
    );
  };
}
