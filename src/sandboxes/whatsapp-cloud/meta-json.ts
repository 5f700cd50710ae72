import { createHmac } from 'node:crypto';

/**
 * JSON as Meta serializes a webhook body: every non-ASCII character as a `\uXXXX` escape (a UTF-16 unit
 * each, so an emoji is two) and `/` as `\/`. Receivers that re-serialize the parsed body get other bytes
 * and fail the signature (whatsapp-sources.md §1.3; Secreto31126/whatsapp-api-js#290 for accents, #380
 * for `/`; fbsamples/whatsapp-api-examples#13).
 */
export function metaJson(value: unknown): string {
  // Outside strings JSON has neither `/` nor non-ASCII, so replacing everywhere touches strings only.
  return JSON.stringify(value)
    .replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replaceAll('/', '\\/');
}

/**
 * `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the exact body bytes with the app secret>` (Meta,
 * Webhooks, "Validate payloads"; whatsapp-sources.md §1.3).
 */
export function metaSignature(body: string, appSecret: string): string {
  return `sha256=${createHmac('sha256', appSecret).update(body, 'utf8').digest('hex')}`;
}
