/** The API's shapes the app reads (see the OpenAPI document at /api/v1/docs). */
export interface Identity {
  id: string;
  phone?: string;
  name?: string;
  username?: string;
}

export interface Chat {
  id: string;
  accountId: string;
  type: 'direct' | 'group';
  title?: string;
  partner?: Identity;
  participants?: Identity[];
  createdAt: string;
  lastMessageAt?: string;
}

export interface Message {
  id: string;
  sourceId: string;
  chatId: string;
  fromMe: boolean;
  senderId?: string;
  senderName?: string;
  timestamp: string;
  type: string;
  text?: string;
  replyTo?: string;
  editedAt?: string;
  deletedAt?: string;
  delivery?: { status: string; at: string };
  details?: Record<string, unknown>;
  reactions: { emoji: string; fromMe: boolean; senderId?: string; at: string }[];
  media?: {
    state: 'stored' | 'pending' | 'failed';
    mimeType?: string;
    size?: number;
    fileName?: string;
    failure?: string;
  };
}

export interface Page<T> {
  data: T[];
  nextCursor?: string;
}

export interface Connection {
  id: string;
  kind: string;
  name: string;
  state: string;
  parkedReason?: string;
}

export interface RecordLink {
  id: string;
  connectionId: string;
  connection: { id: string; name: string; kind: string };
  identity: { id: string; phone?: string; name?: string };
  record: { type: 'contact' | 'lead'; id: string; name?: string };
  linkedBy: 'lookup' | 'created' | 'manual';
  linkedAt: string;
  lastSyncedAt?: string;
}

export interface CrmRecord {
  type: 'contact' | 'lead';
  id: string;
  name: string;
  phones: string[];
  url: string;
}

export interface RecordCard extends CrmRecord {
  company?: string;
  owner?: string;
  email?: string;
  leadStatus?: string;
  openDeals: { id: string; name: string; stage?: string; amount?: number; url: string }[];
  latestNotes: { id: string; title: string; excerpt: string; createdAt: string }[];
}

export interface SyncJob {
  connectionId: string;
  running: boolean;
  nextRunAt?: string;
  lastError?: string;
  lastStartedAt?: string;
  lastFinishedAt?: string;
  lastSuccessAt?: string;
}
