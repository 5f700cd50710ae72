/**
 * The numbers WhatsApp treats as one account although they differ by a digit: Brazil mobiles with
 * and without the 9th digit, Mexico with and without the `1` after 52, Argentina with and without
 * the mobile 9.
 */
/**
 * A pair of digit strings (country code included) WhatsApp treats as one account. They differ by
 * a single digit at `index`, present in the `canonical` form (BR 9, AR 9) or in the `alias` (MX 1).
 */
export type VariantRule = {
  canonical: RegExp;
  alias: RegExp;
  index: number;
  digit: string;
  extraDigitIn: 'canonical' | 'alias';
  /** Whether alias -> canonical is safe without knowing the number type. */
  canonicalise: boolean;
  /** Whether national spellings carry the digit too (the MX `1` only ever appeared after +52). */
  national: boolean;
};

export const VARIANT_RULES: readonly VariantRule[] = [
  // Brazil: 8-digit mobiles (6-9) gained a leading 9; WhatsApp ids of older accounts still lack it.
  {
    canonical: /^55[1-9]{2}9[6-9]\d{7}$/,
    alias: /^55[1-9]{2}[6-9]\d{7}$/,
    index: 4,
    digit: '9',
    extraDigitIn: 'canonical',
    canonicalise: true,
    national: true,
  },
  // Mexico: wa_id keeps the pre-2019 mobile `1`; E.164 dropped it.
  {
    canonical: /^52\d{10}$/,
    alias: /^521\d{10}$/,
    index: 2,
    digit: '1',
    extraDigitIn: 'alias',
    canonicalise: true,
    national: false,
  },
  // Argentina: mobiles are +54 9 AREA NUMBER; geographic national numbers start with 1-3.
  {
    canonical: /^549[1-3]\d{9}$/,
    alias: /^54[1-3]\d{9}$/,
    index: 2,
    digit: '9',
    extraDigitIn: 'canonical',
    canonicalise: false,
    national: true,
  },
];

export type Alias = { e164: string; rule: VariantRule };

export function aliasesOf(canonical: string): Alias[] {
  const digits = digitsOf(canonical);
  const aliases: Alias[] = [];
  for (const rule of VARIANT_RULES) {
    if (rule.canonical.test(digits)) aliases.push({ e164: `+${toAlias(rule, digits)}`, rule });
    else if (!rule.canonicalise && rule.alias.test(digits)) {
      aliases.push({ e164: `+${toCanonical(rule, digits)}`, rule });
    }
  }
  return aliases;
}

export function toAlias(rule: VariantRule, digits: string): string {
  return rule.extraDigitIn === 'canonical'
    ? removeAt(digits, rule.index)
    : insertAt(digits, rule.index, rule.digit);
}

export function toCanonical(rule: VariantRule, digits: string): string {
  return rule.extraDigitIn === 'canonical'
    ? insertAt(digits, rule.index, rule.digit)
    : removeAt(digits, rule.index);
}

export function removeAt(text: string, index: number): string {
  return text.slice(0, index) + text.slice(index + 1);
}

function insertAt(text: string, index: number, insert: string): string {
  return text.slice(0, index) + insert + text.slice(index);
}

export function digitsOf(e164: string): string {
  return e164.replace(/\D/g, '');
}
