/**
 * What the live Salesforce suite is told to run against: the only module that reads the
 * WASYNC_LIVE_SALESFORCE_* variables (the product's own environment is `src/config/`'s).
 */
import fs from 'node:fs';
import type { z } from 'zod';
import { SalesforceConnectionInput } from '../../src/crms/salesforce/connection.js';

const PREFIX = 'WASYNC_LIVE_SALESFORCE_';

/** Every variable the suite reads, by what it holds. */
export const LIVE_VARIABLES = {
  loginUrl: `${PREFIX}LOGIN_URL`,
  flow: `${PREFIX}FLOW`,
  clientId: `${PREFIX}CLIENT_ID`,
  clientSecret: `${PREFIX}CLIENT_SECRET`,
  username: `${PREFIX}USERNAME`,
  privateKeyFile: `${PREFIX}PRIVATE_KEY_FILE`,
  refreshToken: `${PREFIX}REFRESH_TOKEN`,
  audience: `${PREFIX}AUDIENCE`,
  apiVersion: `${PREFIX}API_VERSION`,
} as const;

type Setting = keyof typeof LIVE_VARIABLES;
type Flow = SalesforceConnectionInput['auth']['flow'];

/** What each sign-in flow needs besides the login URL (as `src/crms/salesforce/connection.ts` asks). */
const NEEDED_BY_FLOW: Record<Flow, readonly Setting[]> = {
  client_credentials: ['clientId', 'clientSecret'],
  jwt_bearer: ['clientId', 'username', 'privateKeyFile'],
  refresh_token: ['clientId', 'clientSecret', 'refreshToken'],
};

const FLOWS = Object.keys(NEEDED_BY_FLOW) as Flow[];

/** Run against the org this connection input reaches, or skip the suite for the reason given. */
export type LiveSalesforceConfig = { connection: SalesforceConnectionInput } | { skipped: string };

/** The variables are set, but not so that the suite can sign in: says which to set or fix. */
export class LiveConfigError extends Error {
  override name = 'LiveConfigError';
}

/**
 * Reads the suite's variables. None set: the suite is skipped, and the reason names what to set. Some
 * set: every variable the chosen flow needs must be, or this throws naming the missing ones, so a
 * half-configured run fails at once instead of somewhere inside a sign-in.
 */
export function liveSalesforceConfig(env: NodeJS.ProcessEnv = process.env): LiveSalesforceConfig {
  const given = givenVariables(env);
  if (given.size === 0) return { skipped: `no ${PREFIX}* variable is set. ${howToRun()}` };
  const unknown = [...given.keys()].filter((name) => !Object.values<string>(LIVE_VARIABLES).includes(name));
  if (unknown.length > 0) {
    throw new LiveConfigError(
      `Unknown variable ${unknown.join(', ')}; the live Salesforce suite reads ${Object.values(LIVE_VARIABLES).join(', ')}.`,
    );
  }
  const value = (setting: Setting) => given.get(LIVE_VARIABLES[setting]);
  const flow = value('flow');
  if (flow !== undefined && !isFlow(flow)) {
    throw new LiveConfigError(`${LIVE_VARIABLES.flow} is "${flow}"; it must be one of ${FLOWS.join(', ')}.`);
  }
  const needed: Setting[] = ['loginUrl', 'flow', ...(flow ? NEEDED_BY_FLOW[flow] : [])];
  const missing = needed.filter((setting) => value(setting) === undefined);
  if (missing.length > 0 || !flow) {
    throw new LiveConfigError(
      `The live Salesforce suite is missing ${missing.map((s) => LIVE_VARIABLES[s]).join(', ')}${flow ? ` (the ${flow} flow needs them)` : ''}. Set them, or unset every ${PREFIX}* variable to skip the suite. ${howToRun()}`,
    );
  }
  return { connection: connectionInput(flow, value) };
}

/** The set, non-blank variables of the suite's prefix (and any misspelt one that shares it). */
function givenVariables(env: NodeJS.ProcessEnv): Map<string, string> {
  const given = new Map<string, string>();
  for (const [name, value] of Object.entries(env)) {
    if (name.startsWith(PREFIX) && value !== undefined && value.trim() !== '') given.set(name, value.trim());
  }
  return given;
}

function isFlow(value: string): value is Flow {
  return (FLOWS as string[]).includes(value);
}

/**
 * The connection input, checked by the product's own schema: what it refuses (a client credentials
 * flow on login.salesforce.com, say) is refused here in the same words.
 */
function connectionInput(
  flow: Flow,
  value: (setting: Setting) => string | undefined,
): SalesforceConnectionInput {
  const parsed = SalesforceConnectionInput.safeParse({
    kind: 'salesforce',
    name: 'wasync live test',
    loginUrl: value('loginUrl'),
    ...(value('apiVersion') === undefined ? {} : { apiVersion: value('apiVersion') }),
    auth: authOf(flow, value),
  });
  if (!parsed.success) {
    throw new LiveConfigError(
      `The live Salesforce suite cannot use its variables: ${parsed.error.issues.map(describeIssue).join('; ')}`,
    );
  }
  return parsed.data;
}

function authOf(flow: Flow, value: (setting: Setting) => string | undefined): Record<string, unknown> {
  const clientId = value('clientId');
  switch (flow) {
    case 'client_credentials':
      return { flow, clientId, clientSecret: value('clientSecret') };
    case 'refresh_token':
      return { flow, clientId, clientSecret: value('clientSecret'), refreshToken: value('refreshToken') };
    case 'jwt_bearer':
      return {
        flow,
        clientId,
        username: value('username'),
        privateKeyPem: readPrivateKey(value('privateKeyFile') ?? ''),
        ...(value('audience') === undefined ? {} : { audience: value('audience') }),
      };
  }
}

function readPrivateKey(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new LiveConfigError(
      `${LIVE_VARIABLES.privateKeyFile} names ${file}, which cannot be read: ${(error as Error).message}`,
    );
  }
}

/** A schema issue, told by the variable it came from. */
function describeIssue(issue: z.ZodError['issues'][number]): string {
  const field = String(issue.path.at(-1) ?? '');
  const variable =
    field === 'privateKeyPem'
      ? `${LIVE_VARIABLES.privateKeyFile} (the file must hold a PEM private key)`
      : field in LIVE_VARIABLES
        ? LIVE_VARIABLES[field as Setting]
        : field;
  return `${variable}: ${issue.message}`;
}

function howToRun(): string {
  const perFlow = FLOWS.map(
    (flow) => `${flow}: ${NEEDED_BY_FLOW[flow].map((s) => LIVE_VARIABLES[s]).join(', ')}`,
  ).join('; ');
  return `To run it against a Salesforce Developer Edition org, set ${LIVE_VARIABLES.loginUrl} (the My Domain URL), ${LIVE_VARIABLES.flow} (${FLOWS.join(' | ')}) and what the flow needs (${perFlow}); optional: ${LIVE_VARIABLES.audience} (jwt_bearer), ${LIVE_VARIABLES.apiVersion}. See README, "Tests".`;
}
