import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { type KitToken, memoryTokenStore, type RefreshTokenSlot, TokenHolder } from './token-holder.js';

/** A CRM's token endpoint: counts sign-ins, rotates refresh tokens, refuses a spent one. */
function fakeCrm(stored: () => Promise<string | undefined> = async () => 'r0') {
  let issued = 0;
  let live = 'r0';
  const spent: string[] = [];
  return {
    signIns: () => issued,
    spent,
    signIn: async (session: KitToken | undefined): Promise<KitToken> => {
      await sleep(5);
      // As a CRM's flow does: the session's refresh token, else the one stored with the secrets.
      const used = session?.refreshToken ?? (await stored()) ?? 'r0';
      if (used !== live) throw new Error(`spent refresh token ${used}`);
      spent.push(used);
      issued++;
      live = `r${issued}`;
      return { accessToken: `a${issued}`, refreshToken: live };
    },
  };
}

function slot(initial: string, log: string[]): RefreshTokenSlot & { value: string } {
  const s = {
    value: initial,
    read: async () => s.value,
    write: async (token: string) => {
      log.push(`store ${token}`);
      s.value = token;
    },
  };
  return s;
}

describe('token holder', () => {
  it('callers at once share one sign-in, and one renewal of the same stale token', async () => {
    const crm = fakeCrm();
    const holder = new TokenHolder(crm.signIn);
    const tokens = await Promise.all(Array.from({ length: 5 }, () => holder.current()));
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['a1']));
    const first = tokens[0] as KitToken;
    const renewed = await Promise.all(Array.from({ length: 5 }, () => holder.renew(first)));
    expect(new Set(renewed.map((t) => t.accessToken))).toEqual(new Set(['a2']));
    expect(crm.signIns()).toBe(2);
    // A caller still holding the first token after the renewal gets the new one, no sign-in.
    expect((await holder.renew(first)).accessToken).toBe('a2');
    expect(crm.signIns()).toBe(2);
  });

  it('stores a rotated refresh token before anyone uses the new access token', async () => {
    const crm = fakeCrm();
    const log: string[] = [];
    const refreshTokens = slot('r0', log);
    const holder = new TokenHolder(crm.signIn, {
      store: memoryTokenStore(refreshTokens),
      onToken: (token) => {
        log.push(`use ${token.accessToken}`);
      },
    });
    const token = await holder.current();
    log.push(`got ${token.accessToken}`);
    expect(log).toEqual(['store r1', 'use a1', 'got a1']);
    expect(refreshTokens.value).toBe('r1');
  });

  it('reads the stored refresh token before each refresh: another process may have rotated it', async () => {
    const refreshTokens = slot('r0', []);
    const crm = fakeCrm(() => refreshTokens.read());
    const holder = new TokenHolder(crm.signIn, { store: memoryTokenStore(refreshTokens) });
    const first = await holder.current();
    // Another process refreshes (spending r1) and stores r2.
    const other = new TokenHolder(crm.signIn, { store: memoryTokenStore(refreshTokens) });
    await other.current();
    expect(refreshTokens.value).toBe('r2');
    expect((await holder.renew(first)).accessToken).toBe('a3');
    expect(crm.spent).toEqual(['r0', 'r1', 'r2']);
  });

  it('a refused token triggers exactly one renewal and one retry', async () => {
    const crm = fakeCrm();
    const holder = new TokenHolder(crm.signIn);
    const seen: string[] = [];
    const always401 = await holder.withToken(
      async (token) => {
        seen.push(token.accessToken);
        return 401;
      },
      (status) => status === 401,
    );
    expect(always401).toBe(401);
    expect(seen).toEqual(['a1', 'a2']);
    expect(crm.signIns()).toBe(2);
    const ok = await holder.withToken(
      async (token) => token.accessToken,
      (t) => t !== 'a2',
    );
    expect(ok).toBe('a2');
    expect(crm.signIns()).toBe(2);
  });

  it('renews a token the CRM said expires, before using it', async () => {
    let now = 1_000_000;
    let issued = 0;
    const holder = new TokenHolder(
      async () => ({ accessToken: `a${++issued}`, expiresAt: now + 3_600_000 }),
      { clock: () => now, expirySkewMs: 60_000 },
    );
    expect((await holder.current()).accessToken).toBe('a1');
    now += 3_500_000;
    expect((await holder.current()).accessToken).toBe('a1');
    now += 50_000;
    expect((await holder.current()).accessToken).toBe('a2');
  });
});
