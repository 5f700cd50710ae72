/**
 * What the live Zoho suite is told to run against: the only module that reads the
 * WASYNC_LIVE_ZOHO_* variables (the product's own environment is `src/config/`'s).
 */
import type { z } from 'zod';
import { ZohoConnectionInput } from '../../src/crms/zoho/connection.js';
import { ZOHO_DATA_CENTRE_NAMES } from '../../src/crms/zoho/data-centres.js';
import { ZOHO_EDITION_NAMES } from '../../src/crms/zoho/limits.js';
import { LiveConfigError } from './live-config.js';

export { LiveConfigError };

const PREFIX = 'WASYNC_LIVE_ZOHO_';

/** Every variable the suite reads, by the connection field it fills. */
export const ZOHO_LIVE_VARIABLES = {
  dataCentre: `${PREFIX}DATA_CENTRE`,
  clientId: `${PREFIX}CLIENT_ID`,
  clientSecret: `${PREFIX}CLIENT_SECRET`,
  refreshToken: `${PREFIX}REFRESH_TOKEN`,
  accountsUrl: `${PREFIX}ACCOUNTS_URL`,
  edition: `${PREFIX}EDITION`,
} as const;

type Setting = keyof typeof ZOHO_LIVE_VARIABLES;

/** What a Self Client's refresh token needs to sign in (as `src/crms/zoho/connection.ts` asks). */
const NEEDED: readonly Setting[] = ['dataCentre', 'clientId', 'clientSecret', 'refreshToken'];

/** Run against the org this connection input reaches, or skip the suite for the reason given. */
export type LiveZohoConfig = { connection: ZohoConnectionInput } | { skipped: string };

/**
 * Reads the suite's variables. None set: the suite is skipped, and the reason names what to set. Some
 * set: every variable a sign-in needs must be, or this throws naming the missing ones, so a
 * half-configured run fails at once instead of somewhere inside a sign-in.
 */
export function liveZohoConfig(env: NodeJS.ProcessEnv = process.env): LiveZohoConfig {
  const given = givenVariables(env);
  if (given.size === 0) return { skipped: `no ${PREFIX}* variable is set. ${howToRun()}` };
  const known = Object.values<string>(ZOHO_LIVE_VARIABLES);
  const unknown = [...given.keys()].filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new LiveConfigError(
      `Unknown variable ${unknown.join(', ')}; the live Zoho suite reads ${known.join(', ')}.`,
    );
  }
  const value = (setting: Setting) => given.get(ZOHO_LIVE_VARIABLES[setting]);
  const missing = NEEDED.filter((setting) => value(setting) === undefined);
  if (missing.length > 0) {
    throw new LiveConfigError(
      `The live Zoho suite is missing ${missing.map((s) => ZOHO_LIVE_VARIABLES[s]).join(', ')}. Set them, or unset every ${PREFIX}* variable to skip the suite. ${howToRun()}`,
    );
  }
  return { connection: connectionInput(value) };
}

/** The set, non-blank variables of the suite's prefix (and any misspelt one that shares it). */
function givenVariables(env: NodeJS.ProcessEnv): Map<string, string> {
  const given = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(PREFIX) && value !== undefined && value.trim() !== '') given.set(name, value.trim());
  }
  return given;
}

/**
 * The connection input, checked by the product's own schema: a data centre or an edition it does not
 * know is refused here in the same words as on the connection form.
 */
function connectionInput(value: (setting: Setting) => string | undefined): ZohoConnectionInput {
  const optional = (setting: Setting) => (value(setting) === undefined ? {} : { [setting]: value(setting) });
  const parsed = ZohoConnectionInput.safeParse({
    kind: 'zoho',
    name: 'wasync live test',
    dataCentre: value('dataCentre'),
    ...optional('accountsUrl'),
    ...optional('edition'),
    auth: {
      flow: 'refresh_token',
      clientId: value('clientId'),
      clientSecret: value('clientSecret'),
      refreshToken: value('refreshToken'),
    },
  });
  if (!parsed.success) {
    throw new LiveConfigError(
      `The live Zoho suite cannot use its variables: ${parsed.error.issues.map(describeIssue).join('; ')}`,
    );
  }
  return parsed.data;
}

/** A schema issue, told by the variable it came from. */
function describeIssue(issue: z.ZodError['issues'][number]): string {
  const field = String(issue.path.at(-1) ?? '');
  const variable = field in ZOHO_LIVE_VARIABLES ? ZOHO_LIVE_VARIABLES[field as Setting] : field;
  return `${variable}: ${issue.message}`;
}

function howToRun(): string {
  const v = ZOHO_LIVE_VARIABLES;
  return `To run it against a Zoho CRM org (a free developer or trial org), set ${v.dataCentre} (${ZOHO_DATA_CENTRE_NAMES.join(' | ')}), and a Self Client's ${v.clientId}, ${v.clientSecret} and ${v.refreshToken}; optional: ${v.edition} (${ZOHO_EDITION_NAMES.join(' | ')}). See README, "Tests".`;
}
