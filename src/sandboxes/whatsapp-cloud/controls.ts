import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import {
  echoBody,
  errorsBody,
  HISTORY_DECLINED,
  historyBody,
  type Json,
  type StatusInput,
  standbyBody,
  statusBody,
  systemBody,
  type WebhookError,
  type WebhookNumber,
} from './webhooks.js';

/** A control route's input: what it needs, or the reason it is refused (a 400). */
type Builder = (number: WebhookNumber, input: Json) => Json | string;

const STATUSES = new Set(['sent', 'delivered', 'read', 'played', 'failed']);
const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);
const wamid = (value: unknown) => text(value) ?? `wamid.${randomBytes(12).toString('base64url')}`;
const when = (value: unknown) => (typeof value === 'number' ? value * 1000 : undefined);
const errors = (value: unknown) => (Array.isArray(value) ? (value as WebhookError[]) : undefined);

/** One builder per kind of `POST /__sandbox/webhooks/{kind}`. */
const BUILDERS: Record<string, Builder> = {
  statuses(number, input) {
    const messageId = text(input.messageId);
    const recipientId = text(input.recipientId);
    const status = text(input.status);
    if (!messageId || !recipientId || !status || !STATUSES.has(status))
      return 'messageId, recipientId and status (sent, delivered, read, played or failed) are required';
    return statusBody(number, {
      messageId,
      recipientId,
      status: status as StatusInput['status'],
      at: when(input.timestamp),
      errors: errors(input.errors),
    });
  },
  echoes(number, input) {
    const to = text(input.to);
    if (!to || (input.text === undefined && !input.content))
      return 'to and text (or type and content) are required';
    return echoBody(number, {
      to,
      id: wamid(input.id),
      at: when(input.timestamp),
      text: text(input.text),
      type: text(input.type),
      content: typeof input.content === 'object' && input.content ? (input.content as Json) : undefined,
      name: text(input.name),
    });
  },
  history(number, input) {
    const phase = Number(input.phase ?? 0);
    if (![0, 1, 2].includes(phase)) return 'phase is 0, 1 or 2';
    return historyBody(number, {
      phase: phase as 0 | 1 | 2,
      chunkOrder: Number(input.chunkOrder ?? 1),
      progress: Number(input.progress ?? 100),
      threads: Array.isArray(input.threads) ? (input.threads as { id: string; messages: Json[] }[]) : [],
      errors: input.declined === true ? [HISTORY_DECLINED] : undefined,
    });
  },
  system(number, input) {
    const from = text(input.from);
    if (input.type === 'user_changed_number') {
      const newWaId = text(input.newWaId);
      if (!from || !newWaId) return 'from and newWaId are required';
      return systemBody(number, {
        type: input.type,
        from,
        newWaId,
        id: wamid(input.id),
        at: when(input.timestamp),
      });
    }
    if (input.type === 'user_changed_user_id') {
      const userId = text(input.userId);
      const previousUserId = text(input.previousUserId);
      if (!from || !userId || !previousUserId) return 'from, userId and previousUserId are required';
      return systemBody(number, {
        type: input.type,
        from,
        userId,
        previousUserId,
        id: wamid(input.id),
        at: when(input.timestamp),
      });
    }
    return 'type is user_changed_number or user_changed_user_id';
  },
  errors(number, input) {
    const list = errors(input.errors);
    if (!list || list.length === 0) return 'errors: [{code, title, message?, details?}] is required';
    return errorsBody(number, list);
  },
  standby(number, input) {
    const parts = ['contacts', 'messages', 'message_echoes', 'statuses'] as const;
    if (!parts.some((key) => Array.isArray(input[key])))
      return 'give messages, message_echoes or statuses (arrays in the messages webhook shape)';
    return standbyBody(number, Object.fromEntries(parts.map((key) => [key, input[key]])));
  },
};

/**
 * `POST /__sandbox/webhooks/{statuses|echoes|history|system|errors|standby}` `{phoneNumberId, ...}`:
 * builds that kind's body (see webhooks.ts), signs and delivers it; answers 202 `{deliveryId}`.
 */
export function registerWebhookControls<N extends WebhookNumber>(
  app: FastifyInstance,
  context: {
    numbers: ReadonlyMap<string, N>;
    deliver: (number: N, body: Json) => { id: string };
  },
): void {
  app.post<{ Params: { kind: string }; Body: Json }>('/__sandbox/webhooks/:kind', async (request, reply) => {
    const build = Object.hasOwn(BUILDERS, request.params.kind) ? BUILDERS[request.params.kind] : undefined;
    if (!build)
      return reply.status(404).send({ error: `unknown kind; one of ${Object.keys(BUILDERS).join(', ')}` });
    const input = request.body ?? {};
    const number = context.numbers.get(String(input.phoneNumberId ?? ''));
    if (!number)
      return reply.status(404).send({ error: 'unknown phoneNumberId; POST /__sandbox/numbers first' });
    const body = build(number, input);
    if (typeof body === 'string') return reply.status(400).send({ error: body });
    const delivery = context.deliver(number, body);
    return reply.status(202).send({ deliveryId: delivery.id, body });
  });
}
