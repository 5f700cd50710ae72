/**
 * The key strategy of CRMs without external ids (Zoho notes, Bitrix24 timeline comments): what wasync
 * writes carries a short marker derived from the day's key, and a destination that must know whether
 * an interrupted attempt left a note lists the record's notes and looks for the marker, instead of
 * creating a second one.
 */
import { createHash } from 'node:crypto';

const MARKER = /wasync:[0-9a-f]{24}/;

/**
 * `wasync:` and 24 hex digits of the key's SHA-256 (96 bits: no two days of a workspace collide).
 * Short, the same in every format and case-folding search, and nothing a person types by chance.
 */
export function dayMarker(key: string): string {
  return `wasync:${createHash('sha256').update(key).digest('hex').slice(0, 24)}`;
}

/** The marker a written text carries, or undefined. */
export function markerIn(text: string): string | undefined {
  return MARKER.exec(text)?.[0];
}
