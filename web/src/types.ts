/**
 * The API's shapes the app reads, taken from the types generated from the server's OpenAPI document
 * (api-types.ts, `npm run api-types`), never copied by hand.
 */
import type { components, paths } from './api-types';

/** Every named schema of the OpenAPI document. */
export type Schemas = components['schemas'];

/** The API's paths without their `/api/v1` prefix, as `api()` takes them. */
type ApiPaths = { [P in keyof paths as P extends `/api/v1${infer Path}` ? Path : never]: paths[P] };

/** The JSON of an operation's success (200, 201 or 202), for answers without a named schema. */
export type Answer<
  Path extends keyof ApiPaths,
  Method extends 'get' | 'post' | 'put' | 'patch' | 'delete',
> = ApiPaths[Path][Method] extends { responses: infer Responses }
  ? Json<Responses, 200> | Json<Responses, 201> | Json<Responses, 202>
  : never;

type Json<Responses, Status extends number> = Responses extends {
  [S in Status]: { content: { 'application/json': infer Body } };
}
  ? Body
  : never;

/** A server-sent event of the live stream (GET /events): `type` is its name, the rest its data. */
export type LiveEvent = Schemas['LiveEvent'];

/** A server-sent event of a pairing (POST/GET /accounts/{id}/pairing). */
export type PairingEvent = Schemas['PairingEvent'];

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
/** A connection as POST /connections answers it: with what its test found. */
export type SavedConnection = Omit<Schemas['CrmConnectionSaved'], 'kind'> & { kind: string };

/** A registered kind of CRM: its name, capabilities, setup and the form it is connected with. */
export type CrmKind = Schemas['CrmKind'];
export type CrmFormField = Schemas['CrmFormField'];

export type RecordLink = Schemas['ChatRecordLink'];

export type CrmRecord = Schemas['CrmRecord'];

export type RecordCard = Schemas['RecordCard'];

export type SyncJob = Schemas['SyncJob'];

/** Where a chat stands on one CRM connection: in CRM up to, waiting, failed, not in CRM, excluded. */
export type ChatCrmState = Schemas['ChatCrmState'];

/** A connected WhatsApp number. */
export type Account = Schemas['Account'];

/** What GET /chats/lookup answers for a chat named by its WhatsApp ids (the browser extension's card). */
export type ChatLookup = Schemas['ChatLookup'];
