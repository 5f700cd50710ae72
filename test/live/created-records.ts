import type { CrmRecord, Destination, NewRecord } from '../../src/crms/types.js';

/**
 * The destination, answering as it does, with `onCreated` told of each record it creates. A proxy
 * rather than a copy of each method, so a method the Destination interface gains passes through.
 */
export function onCreatedRecords(
  destination: Destination,
  onCreated: (record: CrmRecord) => Promise<void>,
): Destination {
  return new Proxy(destination, {
    get(target, property) {
      if (property === 'createRecord') {
        return async (record: NewRecord) => {
          const created = await target.createRecord(record);
          await onCreated(created);
          return created;
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
