import type { GuardedFetch } from '../../net/guarded-fetch.js';
import type { SyncType } from '../../store/repositories/whatsapp-cloud.js';

/** Meta takes the sync request only within 24 hours of onboarding ("Onboard WhatsApp Business app users"). */
export const COEXISTENCE_WINDOW_MS = 24 * 60 * 60_000;

/** What Meta answered a sync request: its request id, or its error (with its code when it gave one). */
export type SmbAppDataOutcome = { requestId: string } | { error: string; errorCode: string | undefined };

/**
 * Asks Meta to start one coexistence sync of a number shared with the WhatsApp Business app:
 * `POST /{version}/{phone-number-id}/smb_app_data` `{"messaging_product":"whatsapp","sync_type":…}`,
 * answered `{"messaging_product":"whatsapp","request_id":"…"}` ("Onboard WhatsApp Business app users",
 * https://developers.facebook.com/documentation/business-messaging/whatsapp/embedded-signup/onboarding-business-app-users/,
 * steps "Initiate contacts synchronization" and "Initiate message history synchronization"). Each sync
 * type can be asked once; Meta refuses a second time. Never throws: a network failure is an outcome too.
 */
export async function requestSmbAppData(
  fetch: GuardedFetch,
  target: { graphBaseUrl: string; apiVersion: string; phoneNumberId: string; accessToken: string },
  syncType: SyncType,
): Promise<SmbAppDataOutcome> {
  const url = `${target.graphBaseUrl}/${target.apiVersion}/${encodeURIComponent(target.phoneNumberId)}/smb_app_data`;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${target.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ messaging_product: 'whatsapp', sync_type: syncType }),
      signal: AbortSignal.timeout(20_000),
    });
    const answer = (await response.json().catch(() => undefined)) as
      | { request_id?: unknown; error?: { message?: unknown; code?: unknown } }
      | undefined;
    if (response.ok && typeof answer?.request_id === 'string' && answer.request_id !== '')
      return { requestId: answer.request_id };
    const code = answer?.error?.code;
    const message = typeof answer?.error?.message === 'string' ? answer.error.message : undefined;
    return {
      error: message
        ? `${message.slice(0, 500)} (HTTP ${response.status})`
        : response.ok
          ? 'the Graph API answered without a request_id'
          : `HTTP ${response.status} from the Graph API`,
      errorCode: typeof code === 'number' || typeof code === 'string' ? String(code) : undefined,
    };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error), errorCode: undefined };
  }
}
