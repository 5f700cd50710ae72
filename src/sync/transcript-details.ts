/**
 * Readers for `Message.details`, which the store keeps as loose JSON in the shapes the sources write
 * (see src/sources/rest/schema.ts). Anything malformed reads as absent, so the message still renders
 * with its type's label instead of throwing away a whole day's transcript.
 */
import { singleLine } from './transcript-text.js';

export interface SharedLocation {
  latitude: number | undefined;
  longitude: number | undefined;
  name: string | undefined;
  address: string | undefined;
}

export interface ContactCard {
  name: string | undefined;
  organization: string | undefined;
  phones: string[];
  emails: string[];
}

type Details = Record<string, unknown> | undefined;

export function locationOf(details: Details): SharedLocation | undefined {
  const location = details?.location;
  if (!isRecord(location)) return undefined;
  const result = {
    latitude: finiteNumber(location.latitude),
    longitude: finiteNumber(location.longitude),
    name: cleanString(location.name),
    address: cleanString(location.address),
  };
  return Object.values(result).some((value) => value !== undefined) ? result : undefined;
}

/** A link that opens the point in any browser or phone; undefined without both coordinates. */
export function mapsLink(location: SharedLocation): string | undefined {
  if (location.latitude === undefined || location.longitude === undefined) return undefined;
  return `https://maps.google.com/?q=${coordinate(location.latitude)},${coordinate(location.longitude)}`;
}

/** Six decimals is about 10 cm; it also keeps tiny values out of exponent notation (`1e-7`) maps cannot read. */
function coordinate(value: number): string {
  return String(Number(value.toFixed(6)));
}

export function contactsOf(details: Details): ContactCard[] {
  const contacts = details?.contacts;
  if (!Array.isArray(contacts)) return [];
  return contacts.filter(isRecord).map((card) => ({
    name: cleanString(card.name),
    organization: cleanString(card.organization),
    phones: cleanStrings(card.phones),
    emails: cleanStrings(card.emails),
  }));
}

export function isForwarded(details: Details): boolean {
  return details?.forwarded === true;
}

/**
 * A message another app sent through the Cloud API on the same number: only its delivery statuses
 * reached wasync, so the transcript can say that it was sent, not what it said.
 */
export function isSentElsewhere(details: Details): boolean {
  return details?.sentElsewhere === true;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function finiteNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function cleanString(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const cleaned = singleLine(value);
  return cleaned === '' ? undefined : cleaned;
}

function cleanStrings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.map(cleanString).filter((item): item is string => item !== undefined);
}
