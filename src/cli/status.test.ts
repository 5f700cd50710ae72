import { describe, expect, it } from 'vitest';
import { type StatusDocument, statusText } from './status.js';

const clock = { now: new Date('2026-03-01T12:00:00Z'), timeZone: 'Europe/Berlin' };

const summary = {
  startedAt: '2026-03-01T11:57:00.000Z',
  finishedAt: '2026-03-01T11:57:02.500Z',
  chats: 1,
  matched: 1,
  unmatched: 0,
  linksFound: 1,
  transcriptsWritten: 1,
  transcriptsUnchanged: 0,
  filesUploaded: 1,
  failed: 0,
  rejected: 0,
  recovered: 0,
  stoppedBy: undefined,
};

const document: StatusDocument = {
  database: 'sqlite',
  totals: { accounts: 2, chats: 1, messages: 1 },
  accounts: [
    {
      id: 'a1',
      phone: '+14155552671',
      source: 'rest',
      chats: 1,
      messages: 1,
      lastMessageAt: '2026-03-01T11:57:00.000Z',
      owner: 'ana@example.com',
      visibility: 'private',
      sharedWith: [],
      health: { status: 'ok', connected: null, signs: [] },
      webhook: null,
      coexistence: null,
      linkedDevice: null,
    },
    {
      id: 'a2',
      phone: '+5511912340000',
      source: 'linked_device',
      chats: 0,
      messages: 0,
      lastMessageAt: null,
      owner: null,
      visibility: 'team',
      sharedWith: [],
      health: {
        status: 'trouble',
        connected: false,
        signs: [
          {
            code: 'logged_out',
            level: 'trouble',
            message: 'Logged out: pair it again.',
            since: '2026-03-01T10:00:00.000Z',
          },
        ],
      },
      webhook: null,
      coexistence: null,
      linkedDevice: {
        state: 'unpaired',
        reason: null,
        since: null,
        lastEventAt: null,
        gapSince: null,
        history: { recent: { messages: 1, progress: 40, complete: false } },
      },
    },
  ],
  connections: [
    {
      id: 'c1',
      name: 'Sandbox org',
      kind: 'salesforce',
      kindName: 'Salesforce',
      capabilities: null,
      state: 'active',
      parkedReason: null,
      health: {
        status: 'trouble',
        signs: [
          { code: 'runs_failing', level: 'trouble', message: 'The last 3 sync runs failed.', since: null },
        ],
      },
      running: false,
      lastRun: { startedAt: summary.startedAt, finishedAt: summary.finishedAt, summary },
      lastError: null,
      nextRunAt: '2026-03-01T12:02:00.000Z',
      chats: { inCrm: 1, waiting: 0, failed: 0, notInCrm: 0, excluded: 0 },
      writes: { intent: 0, done: 2, failed: 1, rejected: 0 },
      links: [
        {
          phone: '+5511987654321',
          name: 'Ana Souza',
          record: { type: 'contact', id: '003000000000001', name: 'Ana Souza' },
          linkedBy: 'lookup',
          linkedAt: '2026-03-01T11:57:01.000Z',
          lastSyncedAt: '2026-03-01T11:57:02.000Z',
        },
      ],
    },
  ],
};

describe('status, as a person reads it', () => {
  it('says counts in words, times in the workspace zone and from now, and tables with no index column', () => {
    expect(statusText(document, clock)).toBe(
      [
        '2 accounts, 1 chat, 1 message (sqlite; times in Europe/Berlin)',
        '',
        'phone           source         health   owner            visibility  chats  messages  last message',
        '+14155552671    rest           ok       ana@example.com  private         1         1  2026-03-01 12:57 (3 min ago)',
        '+5511912340000  linked_device  trouble                   team            0         0  never',
        'trouble +5511912340000: Logged out: pair it again. (since 2026-03-01 11:00 (2 h ago))',
        'linked device +5511912340000: unpaired; last event never; history: recent 1 message (40%)',
        '  pair it: wasync link-device --account +5511912340000',
        '',
        'CRM connection Sandbox org (salesforce): active',
        '  last run: 2026-03-01 12:57 (3 min ago): 1 chat (1 matched, 0 unmatched); 1 linked by phone; transcripts 1 written, 0 unchanged; 1 file; 0 failed, 0 rejected (2.5 s)',
        '  trouble: The last 3 sync runs failed.',
        '  next run: 2026-03-01 13:02 (in 2 min)',
        '  chats: 1 in CRM, 0 waiting, 0 failed, 0 not in CRM, 0 excluded; writes: 2 done, 1 failed, 0 rejected',
        '  1 write not done: GET /api/v1/connections/c1/sync says why',
        '',
        '  phone           name       record     type     id               linked by  last synced',
        '  +5511987654321  Ana Souza  Ana Souza  contact  003000000000001  lookup     2026-03-01 12:57 (2 min ago)',
        '',
      ].join('\n'),
    );
    expect(statusText(document, clock)).not.toContain('(index)');
  });

  it('says what a coexistence number asked Meta for and what history came, and whether it can still ask', () => {
    const shared = {
      id: 'a3',
      phone: '+14155550100',
      source: 'whatsapp_cloud',
      chats: 0,
      messages: 0,
      lastMessageAt: null,
      owner: null,
      visibility: 'team',
      sharedWith: [],
      health: { status: 'ok' as const, connected: true, signs: [] },
      webhook: null,
      linkedDevice: null,
      coexistence: {
        onboardedAt: '2026-03-01T09:00:00.000Z',
        windowClosesAt: '2026-03-02T09:00:00.000Z',
        requests: [
          {
            syncType: 'smb_app_state_sync',
            requestId: 'r1',
            requestedAt: '2026-03-01T09:00:05.000Z',
            error: null,
          },
          { syncType: 'history', requestId: null, requestedAt: null, error: 'Meta refused (2593107)' },
        ],
        history: { '0': { chunks: 2, progress: 55 } },
      },
    };
    const text = statusText({ ...document, accounts: [shared], connections: [] }, clock);
    expect(text).toContain(
      'coexistence +14155550100: smb_app_state_sync asked 2026-03-01 10:00 (2 h 59 min ago), history not accepted (Meta refused (2593107)); history phase 0 2 chunks (55%); request window open until 2026-03-02 10:00 (in 21 h)',
    );
    const later = { ...clock, now: new Date('2026-03-03T12:00:00Z') };
    expect(
      statusText(
        {
          ...document,
          accounts: [{ ...shared, coexistence: { ...shared.coexistence, history: {} } }],
          connections: [],
        },
        later,
      ),
    ).toContain('history not accepted (Meta refused (2593107)); no history yet; request window closed');
  });

  it('says a parked connection with nothing queued, and an empty workspace, plainly', () => {
    const [connection] = document.connections;
    if (!connection) throw new Error('fixture');
    const text = statusText(
      {
        database: 'postgres',
        totals: { accounts: 0, chats: 0, messages: 0 },
        accounts: [],
        connections: [
          {
            ...connection,
            state: 'parked',
            parkedReason: 'invalid_client',
            health: { status: 'ok', signs: [] },
            lastRun: null,
            nextRunAt: null,
            writes: { intent: 0, done: 0, failed: 0, rejected: 0 },
            links: [],
          },
        ],
      },
      clock,
    );
    expect(text).toBe(
      [
        '0 accounts, 0 chats, 0 messages (postgres; times in Europe/Berlin)',
        '',
        'CRM connection Sandbox org (salesforce): parked: invalid_client',
        '  last run: never',
        '  next run: none queued',
        '  chats: 1 in CRM, 0 waiting, 0 failed, 0 not in CRM, 0 excluded; writes: 0 done, 0 failed, 0 rejected',
        '  no linked contacts or leads yet',
        '',
      ].join('\n'),
    );
  });
});
