import {
  type AuthenticationCreds,
  type AuthenticationState,
  BufferJSON,
  initAuthCreds,
  type LIDMapping,
  proto,
  type SignalDataSet,
  type SignalDataTypeMap,
} from 'baileys';
import type { SecretBox } from '../../core/secret-box.js';
import type { WhatsAppWebAuthRepository } from '../../store/repositories/whatsapp-web-auth.js';

const CREDS = 'creds';

export interface StoredAuthState {
  state: AuthenticationState;
  /** Persists the creds; the socket calls it on every `creds.update`. */
  saveCreds(): Promise<void>;
  /** Forgets the session (after a log-out): the next start pairs again. */
  clear(): Promise<void>;
}

/**
 * The auth state of a linked-device session kept in the store instead of the library's files: every
 * item (creds and each signal key) a row of its own, sealed with the server's secret and bound to its
 * account, kind and id (a value copied onto another row does not open), each batch of keys written in
 * one transaction. Values go through the library's BufferJSON, as its own file store does, so buffers
 * and protobuf objects come back as they went in.
 */
export async function storedAuthState(options: {
  accountId: string;
  repository: WhatsAppWebAuthRepository;
  box: SecretBox;
  /**
   * Hears every @lid ↔ phone pair the library stores. Most reach no event at all (the library keeps
   * the pairs it learns from message keys and history to itself), so this is where they are caught.
   */
  onLidMappings?: (mappings: LIDMapping[]) => void;
}): Promise<StoredAuthState> {
  const { accountId, repository, box, onLidMappings } = options;
  const context = (kind: string, id: string) => `whatsapp-web:${accountId}:${kind}:${id}`;
  const seal = (kind: string, id: string, value: unknown) =>
    box.seal(JSON.stringify(value, BufferJSON.replacer), context(kind, id));
  const open = (kind: string, id: string, sealed: string): unknown =>
    JSON.parse(box.open(sealed, context(kind, id)), BufferJSON.reviver);

  const stored = (await repository.get(accountId, CREDS, [''])).get('');
  const creds: AuthenticationCreds = stored
    ? (open(CREDS, '', stored) as AuthenticationCreds)
    : initAuthCreds();

  return {
    state: {
      creds,
      keys: {
        get: async <T extends keyof SignalDataTypeMap>(type: T, ids: string[]) => {
          const rows = await repository.get(accountId, type, ids);
          const data: { [id: string]: SignalDataTypeMap[T] } = {};
          for (const [id, sealed] of rows) {
            let value = open(type, id, sealed);
            if (type === 'app-state-sync-key' && value) {
              value = proto.Message.AppStateSyncKeyData.fromObject(value as object);
            }
            data[id] = value as SignalDataTypeMap[T];
          }
          return data;
        },
        set: async (data: SignalDataSet) => {
          const changes: { kind: string; id: string; value: string | null }[] = [];
          for (const [kind, items] of Object.entries(data)) {
            for (const [id, value] of Object.entries(items ?? {})) {
              changes.push({ kind, id, value: value ? seal(kind, id, value) : null });
            }
          }
          await repository.write(accountId, changes);
          const pairs = lidMappingsOf(data['lid-mapping']);
          if (pairs.length > 0) onLidMappings?.(pairs);
        },
        clear: () => repository.clear(accountId),
      },
    },
    saveCreds: () => repository.write(accountId, [{ kind: CREDS, id: '', value: seal(CREDS, '', creds) }]),
    clear: () => repository.clear(accountId),
  };
}

/**
 * The library's lid-mapping entries as pairs: it writes `<phone user>` → `<lid user>` and
 * `<lid user>_reverse` → `<phone user>` (users without server or device).
 */
export function lidMappingsOf(entries: SignalDataSet['lid-mapping']): LIDMapping[] {
  const pairs = new Map<string, LIDMapping>();
  for (const [id, value] of Object.entries(entries ?? {})) {
    if (typeof value !== 'string' || !value) continue;
    const [pn, lid] = id.endsWith('_reverse') ? [value, id.slice(0, -'_reverse'.length)] : [id, value];
    if (!/^\d+$/.test(pn) || !/^\d+$/.test(lid)) continue;
    pairs.set(`${lid}:${pn}`, { lid: `${lid}@lid`, pn: `${pn}@s.whatsapp.net` });
  }
  return [...pairs.values()];
}
