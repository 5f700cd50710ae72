import { BufferJSON, proto, type SignalDataSet } from 'baileys';
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { Account } from '../src/core/model.js';
import { SecretBox } from '../src/core/secret-box.js';
import { storedAuthState } from '../src/sources/whatsapp-web/auth-state.js';
import { describeEachDatabase } from './support/databases.js';
import { type Harness, startHarness } from './support/harness.js';

describeEachDatabase('linked-device auth state in the store', (database) => {
  let h: Harness;
  let account: Account;
  beforeEach(async () => {
    h = await startHarness(database);
    account = await h.createAccount('+5511987654321', 'linked_device');
  });
  afterEach(() => h.close());

  /** As a process would on start: a new store over the same rows. */
  const open = () =>
    storedAuthState({
      accountId: account.id,
      repository: h.services.store.whatsappWebAuth,
      box: new SecretBox(h.services.secretKey),
    });
  const asJson = (value: unknown) => JSON.stringify(value, BufferJSON.replacer);

  it('starts with new creds and reads the saved ones back after a restart, buffers and all', async () => {
    const first = await open();
    expect(first.state.creds.registered).toBe(false);
    expect(Buffer.isBuffer(first.state.creds.noiseKey.private)).toBe(true);
    // The library changes the creds object in place, then asks for it to be saved.
    first.state.creds.me = { id: '5511987654321:7@s.whatsapp.net', lid: '123456789:7@lid', name: 'Ana' };
    first.state.creds.registered = true;
    await first.saveCreds();

    const restarted = await open();
    expect(asJson(restarted.state.creds)).toBe(asJson(first.state.creds));
    expect(Buffer.isBuffer(restarted.state.creds.signedIdentityKey.public)).toBe(true);
    expect(restarted.state.creds.me?.lid).toBe('123456789:7@lid');
  });

  it('keeps every key type the library persists through a restart, and deletes on null', async () => {
    const bytes = (n: number) => Buffer.from(Array.from({ length: 32 }, (_, i) => (i * n) % 256));
    const data: SignalDataSet = {
      'pre-key': { '1': { public: bytes(1), private: bytes(2) } },
      session: { '5511987654321.0': new Uint8Array(bytes(3)) },
      'sender-key': { '120363@g.us::5511987654321::0': new Uint8Array(bytes(4)) },
      'sender-key-memory': { '120363@g.us': { '5511987654321:0@s.whatsapp.net': true } },
      'app-state-sync-key': {
        AAAAAQ: proto.Message.AppStateSyncKeyData.fromObject({
          keyData: bytes(5),
          fingerprint: { rawId: 7, currentIndex: 2, deviceIndexes: [0, 1] },
          timestamp: 1_795_000_000,
        }),
      },
      'app-state-sync-version': { regular_high: { version: 12, hash: bytes(6), indexValueMap: {} } },
      'lid-mapping': { '5511987654321': '123456789@lid', '123456789_reverse': '5511987654321' },
      'device-list': { '5511987654321': ['0', '7'] },
      tctoken: { '5511987654321@s.whatsapp.net': { token: bytes(8), timestamp: '1795000000' } },
      'identity-key': { '5511987654321.0': new Uint8Array(bytes(9)) },
    };
    await (await open()).state.keys.set(data);

    const { keys } = (await open()).state;
    for (const [type, items] of Object.entries(data)) {
      const ids = Object.keys(items ?? {});
      const read = await keys.get(type as keyof typeof data, [...ids, 'not-there']);
      expect(Object.keys(read).sort(), type).toEqual([...ids].sort());
      expect(JSON.parse(asJson(read)), type).toEqual(JSON.parse(asJson(items)));
    }
    // App-state keys come back as the protobuf objects the library uses.
    const appState = await keys.get('app-state-sync-key', ['AAAAAQ']);
    expect(appState.AAAAAQ).toBeInstanceOf(proto.Message.AppStateSyncKeyData);

    await keys.set({ 'pre-key': { '1': null }, 'lid-mapping': { '5511987654321': null } });
    expect(await keys.get('pre-key', ['1'])).toEqual({});
    expect(Object.keys(await keys.get('lid-mapping', ['5511987654321', '123456789_reverse']))).toEqual([
      '123456789_reverse',
    ]);
  });

  it('seals each value, bound to its own row', async () => {
    const { state } = await open();
    await state.keys.set({
      'lid-mapping': { '5511987654321': '123456789@lid', '5511900000000': '987654321@lid' },
    });
    const rows = await h.services.store.sql.db
      .selectFrom('whatsapp_web_auth')
      .selectAll()
      .where('account_id', '=', account.id)
      .orderBy('key_id')
      .execute();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row.value).toMatch(/^v1:/);
      expect(row.value).not.toContain('@lid');
    }
    // One row's value copied onto the other does not open there.
    await h.services.store.sql.db
      .updateTable('whatsapp_web_auth')
      .set({ value: rows[0]?.value ?? '' })
      .where('key_id', '=', rows[1]?.key_id ?? '')
      .execute();
    await expect(state.keys.get('lid-mapping', [rows[1]?.key_id ?? ''])).rejects.toThrow();
  });

  it('writes a batch of keys all or nothing, and forgets the session on clear', async () => {
    const repository = h.services.store.whatsappWebAuth;
    const broken = repository.write(account.id, [
      { kind: 'session', id: 'a', value: 'v1:first' },
      // A row the database refuses (no kind): the whole batch goes back.
      { kind: null as unknown as string, id: 'b', value: 'v1:second' },
    ]);
    await expect(broken).rejects.toThrow();
    expect(await repository.count(account.id)).toBe(0);

    const stored = await open();
    await stored.saveCreds();
    await stored.state.keys.set({
      'pre-key': { '1': { public: Buffer.alloc(32), private: Buffer.alloc(32, 1) } },
    });
    expect(await repository.count(account.id)).toBe(2);
    await stored.clear();
    expect(await repository.count(account.id)).toBe(0);
    expect((await open()).state.creds.registered).toBe(false);
  });
});
