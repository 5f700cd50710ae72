import type { ColumnType } from 'kysely';

/**
 * Row types of every table, as Kysely sees them. Times are UTC epoch milliseconds; flags are 0/1
 * integers on both dialects (SQLite has no boolean); JSON is TEXT on SQLite and JSONB on Postgres, so
 * it is written as a string and read as either (see `readJson`). Repositories map these rows to the
 * domain types in src/core; nothing outside src/store sees a row.
 */
export interface Database {
  workspaces: WorkspaceTable;
  users: UserTable;
  sessions: SessionTable;
  invites: InviteTable;
  exclusions: ExclusionTable;
  whatsapp_web_auth: WhatsAppWebAuthTable;
  whatsapp_web_sessions: WhatsAppWebSessionTable;
  whatsapp_web_requests: WhatsAppWebRequestTable;
  api_tokens: ApiTokenTable;
  auth_throttle: AuthThrottleTable;
  audit_events: AuditEventTable;
  accounts: AccountTable;
  account_shares: AccountShareTable;
  identities: IdentityTable;
  own_lids: OwnLidTable;
  chats: ChatTable;
  chat_participants: ChatParticipantTable;
  messages: MessageTable;
  message_events: MessageEventTable;
  message_reactions: MessageReactionTable;
  media: MediaTable;
  media_blobs: MediaBlobTable;
  media_blob_chunks: MediaBlobChunkTable;
  crm_connections: CrmConnectionTable;
  crm_token_leases: CrmTokenLeaseTable;
  crm_rate_buckets: CrmRateBucketTable;
  record_links: RecordLinkTable;
  record_unlinks: RecordUnlinkTable;
  sync_writes: SyncWriteTable;
  sync_chats: SyncChatTable;
  sync_targets: SyncTargetTable;
  sync_jobs: SyncJobTable;
  whatsapp_cloud_accounts: WhatsAppCloudAccountTable;
  webhook_deliveries: WebhookDeliveryTable;
  cloud_sync_requests: CloudSyncRequestTable;
  privacy_keys: PrivacyKeyTable;
  erasures: ErasureTable;
  tombstones: TombstoneTable;
  tombstone_keys: TombstoneKeyTable;
  oauth_apps: OAuthAppTable;
  oauth_requests: OAuthRequestTable;
  alert_settings: AlertSettingsTable;
  alert_troubles: AlertTroubleTable;
  alerts_sent: AlertSentTable;
  imports: ImportTable;
}

type Json = ColumnType<unknown, string, string>;
type NullableJson = ColumnType<unknown, string | null, string | null>;

export interface WorkspaceTable {
  id: string;
  name: string;
  time_zone: string;
  default_region: string | null;
  created_at: number;
  sync_interval_ms: number | null;
  backfill_days: number | null;
  /** 1: admins read every number's chats; 0: only those they could as a member (owned, shared, team). */
  admins_see_all: number;
  audit_retention_days: number | null;
  /** 1: a stored message asks for a sync within seconds (near-real-time); 0: the interval alone. */
  real_time: number;
  /** 1: the REST ingest takes what the browser extension captures from WhatsApp Web; 0 (default): refused. */
  extension_capture: number;
}

export interface UserTable {
  id: string;
  workspace_id: string;
  email: string;
  name: string;
  role: string;
  password_hash: string | null;
  created_at: number;
  last_sign_in_at: number | null;
  removed_at: number | null;
}

export interface SessionTable {
  id: string;
  token_hash: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  user_agent: string | null;
}

export interface InviteTable {
  id: string;
  workspace_id: string;
  token_hash: string;
  email: string;
  role: string;
  invited_by: string | null;
  created_at: number;
  expires_at: number;
  accepted_at: number | null;
  revoked_at: number | null;
}

export interface ApiTokenTable {
  id: string;
  workspace_id: string;
  user_id: string | null;
  name: string;
  role: string;
  token_hash: string;
  token_prefix: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

export interface AuthThrottleTable {
  key: string;
  attempts: number;
  window_start: number;
}

export interface AuditEventTable {
  id: string;
  workspace_id: string;
  occurred_at: number;
  /** session, token, cli, system or anonymous (a sign-in attempt by nobody signed in). */
  actor_via: string;
  actor_user_id: string | null;
  actor_token_id: string | null;
  actor_label: string;
  action: string;
  target_type: string | null;
  target_id: string | null;
  target_label: string | null;
  details: NullableJson;
  client_address: string | null;
  user_agent: string | null;
  count: ColumnType<number, number | undefined, number>;
  dedupe_key: string | null;
}

export interface AccountTable {
  id: string;
  workspace_id: string;
  phone_e164: string;
  source_kind: string;
  display_name: string | null;
  settings: Json;
  created_at: number;
  last_message_at: number | null;
  /** Who the number belongs to; null for one made by the operator (the CLI) and not given to anyone. */
  owner_user_id: string | null;
  /** team (everyone on the team reads its chats) or private (its owner, its sharers and admins). */
  visibility: string;
}

export interface AccountShareTable {
  account_id: string;
  user_id: string;
  shared_by: string | null;
  shared_at: number;
}

/** A `@lid` of one of the workspace's own WhatsApp accounts: never a contact's key. */
export interface OwnLidTable {
  workspace_id: string;
  lid: string;
  learned_at: number;
}

export interface IdentityTable {
  id: string;
  workspace_id: string;
  phone_e164: string | null;
  wa_id: string | null;
  lid: string | null;
  bsuid: string | null;
  parent_bsuid: string | null;
  username: string | null;
  display_name: string | null;
  /** 1: display_name is an address-book name, which a push name does not replace. */
  display_name_saved: number;
  created_at: number;
  updated_at: number;
}

export interface ChatTable {
  id: string;
  account_id: string;
  kind: string;
  partner_identity_id: string | null;
  group_key: string | null;
  title: string | null;
  created_at: number;
  last_message_at: number | null;
  /** When anything a transcript shows last changed in this chat (see messages.changed_at). */
  changed_at: number;
  /** Incremented with every change; the sync compares it with the value it last settled. */
  change_seq: number;
  /** Messages from this time on go to the CRM whatever the backfill window (an import, older history asked for). */
  history_from: number | null;
}

export interface ChatParticipantTable {
  chat_id: string;
  identity_id: string;
  added_at: number;
}

export interface MessageTable {
  id: string;
  account_id: string;
  chat_id: string;
  source_message_id: string;
  sender_identity_id: string | null;
  sender_name: string | null;
  from_me: number;
  sent_at: number;
  type: string;
  text: string | null;
  reply_to_source_id: string | null;
  edited_at: number | null;
  deleted_at: number | null;
  details: NullableJson;
  raw: Json;
  received_at: number;
  /** Stored, edited, deleted, reacted to, media fetched or moved by a merge: the sync engine's cue. */
  changed_at: number;
  /** sent, delivered, read, played or failed, for messages sent from the account (Cloud API statuses). */
  delivery_status: string | null;
  delivery_status_at: number | null;
}

export interface MessageEventTable {
  id: string;
  account_id: string;
  source_event_id: string;
  target_source_message_id: string;
  kind: string;
  sender_identity_id: string | null;
  from_me: number;
  occurred_at: number;
  payload: Json;
  applied_at: number | null;
  received_at: number;
}

export interface MessageReactionTable {
  message_id: string;
  reactor_key: string;
  reactor_identity_id: string | null;
  emoji: string;
  reacted_at: number;
}

export interface MediaTable {
  id: string;
  message_id: string;
  state: string;
  sha256: string | null;
  mime_type: string | null;
  size_bytes: number | null;
  file_name: string | null;
  source_url: string | null;
  attempts: number;
  next_attempt_at: number | null;
  failure: string | null;
  created_at: number;
  updated_at: number;
}

export interface CrmConnectionTable {
  id: string;
  workspace_id: string;
  kind: string;
  name: string;
  settings: Json;
  credentials: string;
  state: string;
  parked_reason: string | null;
  created_at: number;
  updated_at: number;
}

export interface RecordLinkTable {
  id: string;
  connection_id: string;
  identity_id: string;
  record_type: string;
  record_id: string;
  record_name: string | null;
  linked_by: string;
  linked_at: number;
  backfill_from: number;
  last_synced_at: number | null;
}

/** A person unlinked by hand on a connection: not matched by phone again until asked. */
export interface RecordUnlinkTable {
  connection_id: string;
  identity_id: string;
  record_type: string;
  record_id: string;
  record_name: string | null;
  unlinked_at: number;
}

/** One row per connection whose token session is shared through the store (the CRM kit). */
export interface CrmTokenLeaseTable {
  connection_id: string;
  /** The process refreshing the session now, until `lease_until`. */
  holder: string | null;
  lease_until: number;
  /** The session (access token, expiry, refresh token), sealed bound to the connection id. */
  sealed_session: string | null;
  updated_at: number;
}

/** A blob of the database media store (WASYNC_MEDIA_STORE=database): its bytes are its chunks. */
export interface MediaBlobTable {
  sha256: string;
  size_bytes: number;
  chunk_count: number;
  created_at: number;
}

export interface MediaBlobChunkTable {
  /** The blob's sha256; a random `upload:…` key while its write's transaction is under way. */
  blob_key: string;
  /** 0, 1, 2…: the chunks in order. */
  seq: number;
  bytes: Buffer;
}

export interface CrmRateBucketTable {
  /** The kind's name for the bucket, e.g. `bitrix24:<portal host>`. */
  key: string;
  /** The level as of `updated_at`; it drains from then on. */
  level: number;
  updated_at: number;
}

export interface SyncWriteTable {
  id: string;
  connection_id: string;
  write_key: string;
  kind: string;
  chat_id: string;
  record_type: string;
  record_id: string;
  day: string | null;
  message_id: string | null;
  state: string;
  content_hash: string;
  ref: NullableJson;
  message_count: number;
  attempts: number;
  last_error: string | null;
  /** 1: the last attempt failed after it may have reached the CRM (look it up before writing again). */
  outcome_unknown: ColumnType<number, number | undefined, number>;
  next_attempt_at: number | null;
  written_at: number | null;
  updated_at: number;
}

export interface SyncChatTable {
  connection_id: string;
  chat_id: string;
  status: string;
  reason: string | null;
  synced_through: number | null;
  seen_seq: number | null;
  checked_at: number;
  retry_at: number | null;
  last_synced_at: number | null;
  updated_at: number;
}

export interface SyncTargetTable {
  connection_id: string;
  chat_id: string;
  record_type: string;
  record_id: string;
  backfill_from: number;
  synced_through: number;
  last_synced_at: number;
}

export interface SyncJobTable {
  connection_id: string;
  run_at: number | null;
  reason: string | null;
  lease_owner: string | null;
  lease_until: number | null;
  attempts: number;
  last_error: string | null;
  last_started_at: number | null;
  last_finished_at: number | null;
  last_success_at: number | null;
  last_summary: NullableJson;
  updated_at: number;
}

export interface WhatsAppCloudAccountTable {
  account_id: string;
  phone_number_id: string;
  waba_id: string | null;
  graph_base_url: string;
  api_version: string;
  verify_token: string;
  credentials: string;
  history_progress: NullableJson;
  /** When a number shared with the WhatsApp Business app was onboarded; null: the Cloud API alone. */
  coexistence_onboarded_at: number | null;
  last_delivery_at: number | null;
  signature_failures: number;
  last_signature_failure_at: number | null;
  created_at: number;
  updated_at: number;
}

/** A coexistence sync request (`smb_app_data`) of a Cloud API account, per sync type. */
export interface CloudSyncRequestTable {
  account_id: string;
  /** history or smb_app_state_sync. */
  sync_type: string;
  /** Meta's request id of the accepted request; kept when a later attempt fails. */
  request_id: string | null;
  requested_at: number | null;
  last_attempt_at: number;
  /** The last attempt's error, and Meta's error code; null when it was accepted. */
  error: string | null;
  error_code: string | null;
}

export interface WebhookDeliveryTable {
  id: string;
  account_id: string;
  received_at: number;
  body: string;
  /** pending (to process, or to retry at next_attempt_at) or processed. */
  state: string;
  attempts: number;
  error: string | null;
  next_attempt_at: number | null;
  processed_at: number | null;
}

/** A chat-export upload imported in the background (scale mode); see migration 028. */
export interface ImportTable {
  id: string;
  account_id: string;
  /** queued, running, done or failed. */
  state: string;
  chat_with: string | null;
  me: string | null;
  chat_name: string | null;
  file_name: string | null;
  time_zone: string;
  date_order: string | null;
  to_crm: number;
  /** The upload, in the blob store until the import has finished. */
  blob_sha256: string;
  blob_size: number;
  /** scan, media or import: the phase under way, with its done and total (bytes of text, or media files). */
  progress_phase: string | null;
  progress_done: number | null;
  progress_total: number | null;
  summary: NullableJson;
  error_code: string | null;
  error_message: string | null;
  /** The member who posted it (undefined for a token without an owner). */
  requested_by: string | null;
  /** Claims taken so far: a worker that dies mid-import leaves one more. */
  attempts: number;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  claimed_by: string | null;
  claim_until: number | null;
}

export interface PrivacyKeyTable {
  workspace_id: string;
  /** The key of the tombstone hashes, sealed with the secret key (context `tombstone-key:<workspace>`). */
  sealed_key: string;
  created_at: number;
}

export interface ErasureTable {
  id: string;
  workspace_id: string;
  /** The country code and last two digits of the erased number; never the number. */
  phone_hint: string;
  /** The user (or token) who asked, as `user:<id>` or `token:<id>`, with the name at that time. */
  requested_by: string;
  requested_at: number;
  /** Counts of what was removed. */
  removed: Json;
  /** The CRM writes found for the person, each with its deletion state. */
  crm_writes: Json;
}

export interface TombstoneTable {
  id: string;
  workspace_id: string;
  erasure_id: string | null;
  phone_hint: string;
  created_at: number;
}

export interface TombstoneKeyTable {
  workspace_id: string;
  /** HMAC-SHA256 of `<kind>:<value>` (phone, lid or bsuid) under the workspace's privacy key. */
  key_hash: string;
  tombstone_id: string;
}

/** JSON columns come back parsed from Postgres and as text from SQLite. */
export function readJson<T>(value: unknown): T {
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

export interface ExclusionTable {
  id: string;
  workspace_id: string;
  kind: string;
  value: string;
  label: string | null;
  created_at: number;
}

export interface WhatsAppWebAuthTable {
  account_id: string;
  kind: string;
  key_id: string;
  value: string;
  updated_at: number;
}

export interface WhatsAppWebSessionTable {
  account_id: string;
  opted_in_by: string | null;
  opted_in_at: number | null;
  /** unpaired, pairing, connecting, connected, disconnected, banned, replaced or logged_out. */
  state: string;
  reason: string | null;
  status_code: number | null;
  state_at: number;
  me: string | null;
  connected_at: number | null;
  last_event_at: number | null;
  gap_since: number | null;
  history: NullableJson;
  /** A ban's end: the session does not connect before it. */
  paused_until: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  groups_fetched_at: number | null;
  /** The request made of the session's holder, whichever process that is: pair, resume or unlink. */
  request_id: string | null;
  request_kind: string | null;
  /** With `pair`: qr or code. */
  request_method: string | null;
  request_at: number | null;
  /** When the holder acted on the request; unset while it waits for one. */
  request_done_at: number | null;
  /** Why the holder could not do what was asked. */
  request_error: string | null;
  /** The pairing's latest update (JSON), as its holder's socket produced it. */
  pairing_update: NullableJson;
  /** Rises at every pairing update: a follower reads those past the one it saw. */
  pairing_seq: ColumnType<number, number | undefined, number>;
}

/** A request a linked-device session made of WhatsApp that counts against a cap (history, re-upload). */
export interface WhatsAppWebRequestTable {
  account_id: string;
  kind: string;
  at: number;
}

/** The OAuth app (client) of a CRM kind in a workspace; the client secret sealed. */
export interface OAuthAppTable {
  workspace_id: string;
  kind: string;
  client_id: string;
  credentials: string;
  updated_at: number;
}

/** An authorization under way: found by the hash of its state, single use, short-lived. */
export interface OAuthRequestTable {
  state_hash: string;
  workspace_id: string;
  kind: string;
  session_id: string;
  user_id: string;
  sealed: string;
  created_at: number;
  expires_at: number;
}

/** Where a workspace's alerts go: a webhook, an SMTP server; the secrets sealed. */
export interface AlertSettingsTable {
  workspace_id: string;
  webhook_url: string | null;
  webhook_secret: string | null;
  smtp_host: string | null;
  smtp_port: number | null;
  /** 1: TLS from the first byte (port 465); 0: plain, upgraded by STARTTLS when offered. */
  smtp_secure: number | null;
  smtp_user: string | null;
  /** Sealed (context `alert-smtp:<workspace>`). */
  smtp_password: string | null;
  smtp_from: string | null;
  updated_at: number;
}

/** A trouble an alert was raised for: announced once when it starts, once when it clears. */
export interface AlertTroubleTable {
  workspace_id: string;
  /** account or connection. */
  subject_type: string;
  subject_id: string;
  code: string;
  subject_label: string;
  message: string;
  since: number;
}

/** One alert sent, or tried: started, cleared or test. */
export interface AlertSentTable {
  id: string;
  workspace_id: string;
  event: string;
  subject_type: string;
  subject_id: string;
  subject_label: string;
  code: string;
  message: string;
  channel: string;
  /** 1 when the receiver accepted it. */
  delivered: number;
  error: string | null;
  /** When the trouble started (none for a test alert). */
  since: number | null;
  sent_at: number;
  /** Tries so far; an alert not delivered is tried again at `retry_at`, null once delivered or given up. */
  attempts: ColumnType<number, number | undefined, number>;
  retry_at: number | null;
}
