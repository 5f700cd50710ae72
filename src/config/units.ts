/** Parsers for the human units the environment uses: durations (`90s`, `3m`, `1h`) and sizes (`32mb`). */

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** `3m` → 180000; a bare number is milliseconds. Returns undefined for anything else. */
export function parseDuration(text: string): number | undefined {
  return parseWithUnits(text, DURATION_UNITS, 'ms');
}

/** `32mb` → 33554432; a bare number is bytes. Returns undefined for anything else. */
export function parseSize(text: string): number | undefined {
  return parseWithUnits(text, SIZE_UNITS, 'b');
}

function parseWithUnits(text: string, units: Record<string, number>, bareUnit: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  if (!match?.[1]) return undefined;
  const factor = units[(match[2] || bareUnit).toLowerCase()];
  if (factor === undefined) return undefined;
  const value = Math.round(Number(match[1]) * factor);
  return Number.isSafeInteger(value) ? value : undefined;
}
