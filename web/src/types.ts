/**
 * The API's shapes the app reads, taken from the types generated from the server's OpenAPI document
 * (api-types.ts, `npm run api-types`), never copied by hand.
 */
import type { components } from './api-types';

/** Every named schema of the OpenAPI document. */
export type Schemas = components['schemas'];

/** Contact or lead: the one spelling the server's RECORD_TYPES gives. */
export type RecordType = Schemas['RecordType'];

export type Identity = Schemas['Identity'];

/** A chat as lists answer it; one chat alone also names its participants. */
export type Chat = Schemas['ChatSummary'] & { participants?: Identity[] };

export type Message = Schemas['Message'];

export interface Page<T> {
  data: T[];
  nextCursor?: string;
}

/** A CRM connection. Kinds are registered on the server at run time, so `kind` is any kind's name. */
export type Connection = Omit<Schemas['CrmConnection'], 'kind'> & { kind: string };

/** A registered kind of CRM: its name, capabilities, setup and the form it is connected with. */
export type CrmKind = Schemas['CrmKind'];
export type CrmFormField = Schemas['CrmFormField'];

export type RecordLink = Schemas['ChatRecordLink'];

export type CrmRecord = Schemas['CrmRecord'];

export type RecordCard = Schemas['RecordCard'];

export type SyncJob = Schemas['SyncJob'];
