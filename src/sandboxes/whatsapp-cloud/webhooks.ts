/**
 * The webhook bodies the sandbox sends, each in the shape Meta documents for its field. Every builder
 * returns a whole body (`object`, `entry[].changes[]`) for one number; the sandbox signs and delivers
 * it. Shapes: Meta "Webhooks" reference pages (developers.facebook.com/documentation/business-messaging/
 * whatsapp/webhooks/reference/<field>) and the notes in whatsapp-sources.md §1.1 to §1.8.
 */

/** The number a body is about: `value.metadata` in every change. */
export interface WebhookNumber {
  phoneNumberId: string;
  displayPhoneNumber: string;
}

export type Json = Record<string, unknown>;

/** The WABA id the sandbox puts in `entry[].id`. */
export const SANDBOX_WABA_ID = '102290129340398';

/** `{object: whatsapp_business_account, entry: [{id, changes: [{field, value}]}]}` (§1.1). */
export function webhookBody(number: WebhookNumber, field: string, value: Json): Json {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: SANDBOX_WABA_ID,
        changes: [
          {
            field,
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: number.displayPhoneNumber,
                phone_number_id: number.phoneNumberId,
              },
              ...value,
            },
          },
        ],
      },
    ],
  };
}

const seconds = (at: number | undefined) => String(Math.floor((at ?? Date.now()) / 1000));

/** One error of a status, an echo or a value: `{code, title, message, error_data: {details}, href}`. */
export interface WebhookError {
  code: number;
  title: string;
  message?: string | undefined;
  details?: string | undefined;
}

function errorObject(error: WebhookError): Json {
  return {
    code: error.code,
    title: error.title,
    message: error.message ?? error.title,
    error_data: { details: error.details ?? error.title },
    href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/',
  };
}

/**
 * A failed status with no errors given carries this one, the example of Meta's status reference and of
 * pywa's `message_status.json` fixture (`failed`).
 */
export const DEFAULT_STATUS_ERROR: WebhookError = {
  code: 130472,
  title: "User's number is part of an experiment",
  details: "Failed to send message because this user's phone number is part of an experiment",
};

export interface StatusInput {
  /** The wamid of a message the business sent. */
  messageId: string;
  status: 'sent' | 'delivered' | 'read' | 'played' | 'failed';
  /** The user's wa_id. */
  recipientId: string;
  at?: number | undefined;
  errors?: WebhookError[] | undefined;
}

/**
 * Field `messages`, `value.statuses[]`: `{id, status, timestamp, recipient_id, errors?}`; a failed one
 * always has `errors` (Meta "Status messages" webhook reference; whatsapp-sources.md §1.6).
 */
export function statusBody(number: WebhookNumber, input: StatusInput): Json {
  const errors = input.errors ?? (input.status === 'failed' ? [DEFAULT_STATUS_ERROR] : undefined);
  return webhookBody(number, 'messages', {
    statuses: [
      {
        id: input.messageId,
        status: input.status,
        timestamp: seconds(input.at),
        recipient_id: input.recipientId,
        ...(errors ? { errors: errors.map(errorObject) } : {}),
      },
    ],
  });
}

export interface EchoInput {
  /** The user the business wrote to (their phone number as the app knows it). */
  to: string;
  id: string;
  at?: number | undefined;
  /** Message type and its object as in a send (`text` and `{body}` when only `text` is given). */
  type?: string | undefined;
  content?: Json | undefined;
  text?: string | undefined;
  name?: string | undefined;
}

/**
 * Field `smb_message_echoes`: a message the business sent from the WhatsApp Business app, in
 * `value.message_echoes[]` as `{from: business number, to, id, timestamp, type, <type>: {...}}` (Meta
 * "smb_message_echoes" webhook reference; whatsapp-sources.md §1.8).
 */
export function echoBody(number: WebhookNumber, input: EchoInput): Json {
  const type = input.type ?? 'text';
  const content = input.content ?? { body: input.text ?? '' };
  return webhookBody(number, 'smb_message_echoes', {
    ...(input.name ? { contacts: [{ profile: { name: input.name }, wa_id: input.to }] } : {}),
    message_echoes: [
      {
        from: number.displayPhoneNumber,
        to: input.to,
        id: input.id,
        timestamp: seconds(input.at),
        type,
        [type]: content,
      },
    ],
  });
}

export interface HistoryInput {
  phase: 0 | 1 | 2;
  chunkOrder: number;
  /** 0 to 100; 100 means the phase is done. */
  progress: number;
  /** Threads by the user's number, each with its messages in the `messages` shape. */
  threads?: { id: string; messages: Json[] }[] | undefined;
  /** Instead of threads: the business declined history sharing. */
  errors?: WebhookError[] | undefined;
}

/**
 * Field `history`: `value.history[]` of `{metadata: {phase, chunk_order, progress}, threads: [{id,
 * messages}]}`, or `{errors}` when the business turned history sharing off (Meta "history" webhook
 * reference; whatsapp-sources.md §1.8).
 */
export function historyBody(number: WebhookNumber, input: HistoryInput): Json {
  const chunk = input.errors
    ? { errors: input.errors.map(errorObject) }
    : {
        metadata: { phase: input.phase, chunk_order: input.chunkOrder, progress: input.progress },
        threads: input.threads ?? [],
      };
  return webhookBody(number, 'history', { history: [chunk] });
}

/** The error Meta sends on `history` when the business declined to share its chats (§1.8). */
export const HISTORY_DECLINED: WebhookError = {
  code: 2593109,
  title: 'History sync is turned off by the business from the WhatsApp Business App',
};

export type SystemInput =
  | { type: 'user_changed_number'; from: string; newWaId: string; id: string; at?: number | undefined }
  | {
      type: 'user_changed_user_id';
      from: string;
      userId: string;
      previousUserId: string;
      id: string;
      at?: number | undefined;
    };

/**
 * Field `messages`, a `system` message: `user_changed_number` carries the new `wa_id` and no
 * `value.contacts`; `user_changed_user_id` carries `user_id` and `previous_user_id` (pywa's
 * `system.json` fixture; Meta "Business-scoped user IDs"; whatsapp-sources.md §1.5 and §1.7).
 */
export function systemBody(number: WebhookNumber, input: SystemInput): Json {
  const system =
    input.type === 'user_changed_number'
      ? {
          body: `User A changed from ${input.from} to ${input.newWaId}`,
          wa_id: input.newWaId,
          type: input.type,
        }
      : { type: input.type, user_id: input.userId, previous_user_id: input.previousUserId };
  return webhookBody(number, 'messages', {
    messages: [{ from: input.from, id: input.id, timestamp: seconds(input.at), type: 'system', system }],
  });
}

/**
 * Field `messages` with `value.errors[]` and nothing else: an error of the app or the account, not of
 * one message, e.g. 131000 "Something went wrong" (Meta "messages" webhook reference, "errors";
 * pywa's `message.json` fixture `interactive_message_with_err`; whatsapp-sources.md §1.5).
 */
export function errorsBody(number: WebhookNumber, errors: WebhookError[]): Json {
  return webhookBody(number, 'messages', { errors: errors.map(errorObject) });
}

export interface StandbyInput {
  contacts?: Json[] | undefined;
  messages?: Json[] | undefined;
  message_echoes?: Json[] | undefined;
  statuses?: Json[] | undefined;
}

/**
 * Field `standby`: what happens in a conversation another sender (Meta Business Agent) is handling,
 * in the usual `value` shape: the user's `messages`, the agent's replies as `message_echoes`, and
 * `statuses` (Meta "Standby webhooks" reference, Aug 2026; 360dialog "Meta Business Agent webhooks").
 */
export function standbyBody(number: WebhookNumber, input: StandbyInput): Json {
  const value: Json = {};
  for (const key of ['contacts', 'messages', 'message_echoes', 'statuses'] as const)
    if (input[key]) value[key] = input[key];
  return webhookBody(number, 'standby', value);
}
