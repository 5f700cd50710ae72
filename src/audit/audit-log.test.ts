import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, withoutSecrets } from './audit-log.js';

describe('audit details', () => {
  it('drops secrets by name at any depth and keeps the rest', () => {
    expect(
      withoutSecrets({
        email: 'ada@example.com',
        password: 'hunter2hunter2',
        nested: {
          clientSecret: 'cs',
          AccessToken: 'at',
          clientId: 'id',
          list: [{ refreshToken: 'rt', n: 1 }],
        },
        token: 'wsk_x',
        tokenId: 'tok_1',
      }),
    ).toEqual({ email: 'ada@example.com', nested: { clientId: 'id', list: [{ n: 1 }] }, tokenId: 'tok_1' });
  });

  it('cuts long text', () => {
    expect((withoutSecrets({ note: 'x'.repeat(2000) }) as { note: string }).note).toHaveLength(501);
  });

  it('names every action once, with the erasure and export actions among them', () => {
    expect(new Set(AUDIT_ACTIONS).size).toBe(AUDIT_ACTIONS.length);
    expect(AUDIT_ACTIONS).toEqual(
      expect.arrayContaining(['person.erased', 'person.exported', 'tombstone.lifted']),
    );
    for (const action of AUDIT_ACTIONS) expect(action).toMatch(/^[a-z_]+\.[a-z_]+$/);
  });
});
