/**
 * What the live Bitrix24 suite is told to run against: the only module that reads the
 * WASYNC_LIVE_BITRIX24_* variables (the product's own environment is `src/config/`'s). The suite
 * connects through an inbound webhook only: an application's refresh token is renewed into a new one
 * each time (b24restdocs `settings/oauth/auto-renewal.md`), so a run would spend the token a
 * contributor gave it, while a webhook has nothing to renew.
 */
import type { z } from 'zod';
import { Bitrix24ConnectionInput } from '../../src/crms/bitrix24/connection.js';
import { BITRIX24_PLAN_NAMES } from '../../src/crms/bitrix24/limits.js';
import { LiveConfigError } from './live-config.js';

export { LiveConfigError };

const PREFIX = 'WASYNC_LIVE_BITRIX24_';

/** Every variable the suite reads, by the connection field it fills. */
export const BITRIX24_LIVE_VARIABLES = {
  webhookUrl: `${PREFIX}WEBHOOK_URL`,
  plan: `${PREFIX}PLAN`,
} as const;

type Setting = keyof typeof BITRIX24_LIVE_VARIABLES;

/** What a run needs: the webhook (its URL carries the portal, the user and the secret). */
const NEEDED: readonly Setting[] = ['webhookUrl'];

/** Run against the portal this connection input reaches, or skip the suite for the reason given. */
export type LiveBitrix24Config = { connection: Bitrix24ConnectionInput } | { skipped: string };

/**
 * Reads the suite's variables. None set: the suite is skipped, and the reason names what to set. Some
 * set: every variable a run needs must be, or this throws naming the missing ones, so a
 * half-configured run fails at once instead of somewhere inside the first call.
 */
export function liveBitrix24Config(env: NodeJS.ProcessEnv = process.env): LiveBitrix24Config {
  const given = givenVariables(env);
  if (given.size === 0) return { skipped: `no ${PREFIX}* variable is set. ${howToRun()}` };
  const known = Object.values<string>(BITRIX24_LIVE_VARIABLES);
  const unknown = [...given.keys()].filter((name) => !known.includes(name));
  if (unknown.length > 0) {
    throw new LiveConfigError(
      `Unknown variable ${unknown.join(', ')}; the live Bitrix24 suite reads ${known.join(', ')} (it connects through an inbound webhook, not an application).`,
    );
  }
  const value = (setting: Setting) => given.get(BITRIX24_LIVE_VARIABLES[setting]);
  const missing = NEEDED.filter((setting) => value(setting) === undefined);
  if (missing.length > 0) {
    throw new LiveConfigError(
      `The live Bitrix24 suite is missing ${missing.map((s) => BITRIX24_LIVE_VARIABLES[s]).join(', ')}. Set them, or unset every ${PREFIX}* variable to skip the suite. ${howToRun()}`,
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
 * The connection input, checked by the product's own schema: a webhook URL or a plan it does not take
 * is refused here in the same words as on the connection form.
 */
function connectionInput(value: (setting: Setting) => string | undefined): Bitrix24ConnectionInput {
  const plan = value('plan');
  const parsed = Bitrix24ConnectionInput.safeParse({
    kind: 'bitrix24',
    name: 'wasync live test',
    ...(plan === undefined ? {} : { plan }),
    auth: { flow: 'webhook', webhookUrl: value('webhookUrl') },
  });
  if (!parsed.success) {
    throw new LiveConfigError(
      `The live Bitrix24 suite cannot use its variables: ${parsed.error.issues.map(describeIssue).join('; ')}`,
    );
  }
  return parsed.data;
}

/** A schema issue, told by the variable it came from. */
function describeIssue(issue: z.ZodError['issues'][number]): string {
  const field = String(issue.path.at(-1) ?? '');
  const variable = field in BITRIX24_LIVE_VARIABLES ? BITRIX24_LIVE_VARIABLES[field as Setting] : field;
  return `${variable}: ${issue.message}`;
}

function howToRun(): string {
  const v = BITRIX24_LIVE_VARIABLES;
  return `To run it against a Bitrix24 portal (a free or trial cloud portal), set ${v.webhookUrl} to an inbound webhook with the crm, disk and user scopes (https://{portal}/rest/{user id}/{secret}/); optional: ${v.plan} (${BITRIX24_PLAN_NAMES.join(' | ')}). See README, "Tests".`;
}
