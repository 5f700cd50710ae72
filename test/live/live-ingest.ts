import { expect } from 'vitest';
import type { Harness } from '../support/harness.js';

/** A message received a minute ago in a direct chat, through the REST ingest. */
export async function postDirectMessage(
  h: Harness,
  accountId: string,
  message: { id: string; from: { phone: string; name: string }; text: string },
): Promise<void> {
  const posted = await h.app.inject({
    method: 'POST',
    url: `/api/v1/accounts/${accountId}/messages`,
    headers: h.auth,
    payload: {
      messages: [
        {
          id: message.id,
          chat: { type: 'direct', with: message.from },
          timestamp: new Date(Date.now() - 60_000).toISOString(),
          text: message.text,
        },
      ],
    },
  });
  expect(posted.statusCode, posted.body).toBe(200);
}
