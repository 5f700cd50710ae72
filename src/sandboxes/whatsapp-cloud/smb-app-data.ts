import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The sandbox's coexistence sync request, `POST /{version}/{phone-number-id}/smb_app_data`, as Meta's
 * "Onboard WhatsApp Business app users" page documents it
 * (https://developers.facebook.com/documentation/business-messaging/whatsapp/embedded-signup/onboarding-business-app-users/,
 * steps "Initiate contacts synchronization" and "Initiate message history synchronization"):
 * `{"messaging_product":"whatsapp","sync_type":"smb_app_state_sync"|"history"}` answered
 * `{"messaging_product":"whatsapp","request_id":"…"}`; each step can be performed once, and only within
 * 24 hours of onboarding. Control routes: `POST /__sandbox/coexistence {phoneNumberId, onboardedAt}` sets
 * a number's onboarding time (none set: the window is not checked), `GET /__sandbox/smb_app_data` lists
 * the requests accepted.
 */
export interface SmbAppDataRequest {
  phoneNumberId: string;
  syncType: SyncType;
  requestId: string;
  at: number;
}

type SyncType = 'smb_app_state_sync' | 'history';
const SYNC_TYPES: readonly string[] = ['smb_app_state_sync', 'history'];
const WINDOW_MS = 24 * 60 * 60_000;

/**
 * Error codes of Meta's "Error codes" page (WhatsApp Business Platform → Support → Error codes), as
 * public clients of this endpoint read them: 2593107, this sync type was already asked for the number;
 * 2593108, the request came more than 24 hours after onboarding.
 */
const ALREADY_REQUESTED = 2593107;
const WINDOW_CLOSED = 2593108;

export function registerSmbAppData(
  app: FastifyInstance,
  options: { accessToken: string; isKnownNumber: (phoneNumberId: string) => boolean; now?: () => number },
): readonly SmbAppDataRequest[] {
  const now = options.now ?? Date.now;
  const requests: SmbAppDataRequest[] = [];
  const onboardedAt = new Map<string, number>();
  // Graph API errors: {"error":{message,type,code,fbtrace_id}} ("Graph API → Handle errors").
  const refuse = (
    reply: FastifyReply,
    status: number,
    code: number,
    message: string,
    type = 'OAuthException',
  ) =>
    reply.status(status).send({ error: { message, type, code, fbtrace_id: randomBytes(6).toString('hex') } });

  app.post<{ Params: { version: string; phoneNumberId: string }; Body: unknown }>(
    '/:version/:phoneNumberId/smb_app_data',
    async (request, reply) => {
      const { version, phoneNumberId } = request.params;
      if (!/^v\d+\.\d+$/.test(version)) return refuse(reply, 404, 803, 'Unknown path');
      // Every Graph API call carries the system user's access token as a bearer (code 190: invalid token).
      if (request.headers.authorization !== `Bearer ${options.accessToken}`)
        return refuse(reply, 401, 190, 'Invalid OAuth access token - Cannot parse access token');
      // The node is the business phone number id ("Onboard WhatsApp Business app users"); the Graph API
      // answers an id it does not know with code 100, "Unsupported post request".
      if (!options.isKnownNumber(phoneNumberId))
        return refuse(
          reply,
          400,
          100,
          `Unsupported post request. Object with ID '${phoneNumberId}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
          'GraphMethodException',
        );
      const body = typeof request.body === 'object' && request.body !== null ? request.body : {};
      const { messaging_product: product, sync_type: syncType } = body as Record<string, unknown>;
      if (product !== 'whatsapp')
        return refuse(reply, 400, 100, '(#100) Param messaging_product must be one of {WHATSAPP} - whatsapp');
      if (typeof syncType !== 'string' || !SYNC_TYPES.includes(syncType))
        return refuse(reply, 400, 100, '(#100) Param sync_type must be one of {SMB_APP_STATE_SYNC, HISTORY}');
      // "You can only perform this step once", within 24 hours of onboarding.
      const onboarded = onboardedAt.get(phoneNumberId);
      if (onboarded !== undefined && now() >= onboarded + WINDOW_MS)
        return refuse(
          reply,
          400,
          WINDOW_CLOSED,
          'Synchronization request can only be made within 24 hours of onboarding',
        );
      if (requests.some((r) => r.phoneNumberId === phoneNumberId && r.syncType === syncType))
        return refuse(reply, 400, ALREADY_REQUESTED, `The ${syncType} synchronization was already requested`);
      const requestId = randomBytes(8).toString('hex');
      requests.push({ phoneNumberId, syncType: syncType as SyncType, requestId, at: now() });
      return { messaging_product: 'whatsapp', request_id: requestId };
    },
  );

  app.post<{ Body: { phoneNumberId?: string; onboardedAt?: string | number } }>(
    '/__sandbox/coexistence',
    async (request, reply) => {
      const at = new Date(request.body?.onboardedAt ?? Number.NaN).getTime();
      if (!request.body?.phoneNumberId || Number.isNaN(at))
        return reply
          .status(400)
          .send({ error: 'phoneNumberId and onboardedAt (ISO time or ms) are required' });
      onboardedAt.set(request.body.phoneNumberId, at);
      return { phoneNumberId: request.body.phoneNumberId, onboardedAt: new Date(at).toISOString() };
    },
  );

  app.get('/__sandbox/smb_app_data', async () => ({ data: requests }));
  return requests;
}
