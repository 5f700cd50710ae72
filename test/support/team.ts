import type { Harness } from './harness.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A browser on the harness's app: keeps the session cookie it is given and sends the CSRF token it learned. */
export function browser(h: Harness, options: { userAgent?: string } = {}) {
  let cookie: string | undefined;
  let csrf: string | undefined;
  const call = async (method: Method, url: string, payload?: unknown, send: { csrf?: boolean } = {}) => {
    const headers: Record<string, string> = options.userAgent ? { 'user-agent': options.userAgent } : {};
    if (cookie) headers.cookie = `wasync_session=${cookie}`;
    if (csrf && send.csrf !== false) headers['x-csrf-token'] = csrf;
    const response = await h.app.inject({
      method,
      url: `/api/v1${url}`,
      headers,
      ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
    });
    const set = response.cookies.find((c) => c.name === 'wasync_session');
    if (set) cookie = set.value === '' ? undefined : set.value;
    if (response.statusCode < 300 && String(response.headers['content-type']).includes('json')) {
      const body = response.json() as { csrfToken?: string };
      if (body.csrfToken) csrf = body.csrfToken;
    }
    return response;
  };
  return { call, cookie: () => cookie };
}

export type Browser = ReturnType<typeof browser>;

export interface TeamMember {
  id: string;
  email: string;
  browser: Browser;
}

/**
 * Signs up the first admin and brings in the others through invites, each signed in on their own
 * browser: `team(h, { ada: 'admin', bo: 'member' })` gives `{ ada, bo }`.
 */
export async function team<const N extends string>(
  h: Harness,
  people: Record<N, 'admin' | 'member'>,
): Promise<Record<N, TeamMember>> {
  const names = Object.keys(people) as N[];
  const [first, ...others] = names;
  if (!first || people[first] !== 'admin') throw new Error('the first person of a team is its admin');
  const members = {} as Record<N, TeamMember>;
  const admin = browser(h);
  const email = (name: string) => `${name}@example.com`;
  const created = await admin.call('POST', '/setup/admin', {
    email: email(first),
    name: first,
    password: `${first}'s long password`,
  });
  if (created.statusCode !== 201) throw new Error(`setup answered ${created.statusCode}: ${created.body}`);
  members[first] = { id: created.json().user.id, email: email(first), browser: admin };
  for (const name of others) {
    const invited = await admin.call('POST', '/invites', { email: email(name), role: people[name] });
    const link = (invited.json().url as string).split('/invite/')[1] ?? '';
    const joined = browser(h);
    const accepted = await joined.call('POST', `/invites/${link}/accept`, {
      name,
      password: `${name}'s long password`,
    });
    if (accepted.statusCode !== 201 && accepted.statusCode !== 200)
      throw new Error(`accepting the invite answered ${accepted.statusCode}: ${accepted.body}`);
    members[name] = { id: accepted.json().user.id, email: email(name), browser: joined };
  }
  return members;
}
