import { useCallback, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { api, describe } from '../api';
import { useConnections } from '../connections';
import { useLive } from '../live';
import { formatPhone } from '../phone';
import { useUser } from '../session';
import type { Answer, Schemas } from '../types';
import { formatTime, Notice } from '../ui';
import { HealthBadge, HealthSigns } from './setup/Accounts';

/** A connection's sync status as GET /connections/{id}/sync answers it. */
type SyncStatus = Schemas['SyncStatus'];

type Linked = Schemas['RecordLink'];

/** Per CRM connection: the last and next run, what waits, what failed and why, and each contact's last sync. */
export function SyncPage() {
  const { connections, error } = useConnections();
  return (
    <div className="stack-lg">
      <section className="panel">
        <h1>Sync status</h1>
        <p className="muted">
          Each connection runs by itself on its schedule; this page follows along as runs finish.
        </p>
        {error ? <Notice kind="error">{error}</Notice> : null}
        {connections?.length === 0 ? <p className="empty">No CRM is connected yet.</p> : null}
      </section>
      {connections?.map((connection) => (
        <ConnectionStatus key={connection.id} connectionId={connection.id} />
      ))}
    </div>
  );
}

function ConnectionStatus({ connectionId }: { connectionId: string }) {
  const user = useUser();
  const [status, setStatus] = useState<SyncStatus>();
  const [links, setLinks] = useState<Linked[]>();
  const [health, setHealth] = useState<Schemas['Health']>();
  const [message, setMessage] = useState<{ kind: 'error' | 'info' | 'success'; text: string }>();

  const load = useCallback(async () => {
    try {
      const [next, linked, healths] = await Promise.all([
        api<SyncStatus>('GET', `/connections/${connectionId}/sync`),
        api<{ data: Linked[] }>('GET', `/connections/${connectionId}/links`),
        api<Answer<'/health/connections', 'get'>>('GET', '/health/connections'),
      ]);
      setStatus(next);
      setLinks(linked.data);
      setHealth(healths.data.find((entry) => entry.id === connectionId)?.health);
    } catch (failure) {
      setMessage({ kind: 'error', text: describe(failure) });
    }
  }, [connectionId]);
  useEffect(() => void load(), [load]);
  useLive((event) => {
    if (event.type !== 'sync' || event.connectionId !== connectionId) return;
    void load();
    // A "queued" note gives way to how the run ended.
    // What the run did, in the line `wasync sync --once` prints.
    const did = event.summary ? `: ${event.summary}` : '';
    setMessage((current) =>
      current?.kind !== 'info'
        ? current
        : event.state === 'done'
          ? { kind: 'success', text: `The run has finished${did}.` }
          : { kind: 'error', text: `The run did not finish everything${did}; see below.` },
    );
  });

  const syncNow = async () => {
    try {
      await api('POST', `/connections/${connectionId}/sync`);
      setMessage({ kind: 'info', text: 'A run is queued; this page updates when it ends.' });
      await load();
    } catch (failure) {
      setMessage({ kind: 'error', text: describe(failure) });
    }
  };
  const retry = async () => {
    try {
      const result = await api<Answer<'/connections/{connectionId}/sync/retry', 'post'>>(
        'POST',
        `/connections/${connectionId}/sync/retry`,
      );
      setMessage({
        kind: 'info',
        text: `Trying the writes of ${result.chats} chat(s) again, in a run queued now.`,
      });
      await load();
    } catch (failure) {
      setMessage({ kind: 'error', text: describe(failure) });
    }
  };

  if (!status)
    return (
      <section className="panel">
        {message ? <Notice kind={message.kind}>{message.text}</Notice> : <p className="muted">Loading…</p>}
      </section>
    );
  const { connection, job, chats, writes, problems } = status;
  return (
    <section className="panel" aria-labelledby={`sync-${connection.id}`}>
      <div className="panel-head">
        <h2 id={`sync-${connection.id}`}>
          {connection.name} <span className="tag">{connection.kind}</span>{' '}
          {health ? <HealthBadge health={health} /> : null}
        </h2>
        <div className="buttons">
          <button type="button" className="primary" onClick={() => void syncNow()}>
            Sync now
          </button>
          {user.role === 'admin' && problems.length > 0 ? (
            <button type="button" onClick={() => void retry()}>
              Retry failed writes
            </button>
          ) : null}
        </div>
      </div>
      {connection.state === 'parked' ? (
        <Notice kind="error">
          Needs attention: {connection.parkedReason ?? 'an admin must fix the connection'}. The sync is paused
          until then.
        </Notice>
      ) : null}
      {health?.signs.some((sign) => sign.code !== 'needs_attention') ? (
        // Needing attention says so above; runs that keep failing say so here.
        <HealthSigns
          health={{ ...health, signs: health.signs.filter((sign) => sign.code !== 'needs_attention') }}
        />
      ) : null}
      {message ? <Notice kind={message.kind}>{message.text}</Notice> : null}
      <dl className="facts">
        <div>
          <dt>State</dt>
          <dd>{job.running ? 'Running now' : connection.state === 'parked' ? 'Needs attention' : 'Idle'}</dd>
        </div>
        <div>
          <dt>Last run</dt>
          <dd>{formatTime(job.lastFinishedAt)}</dd>
        </div>
        <div>
          <dt>Last success</dt>
          <dd>{formatTime(job.lastSuccessAt)}</dd>
        </div>
        <div>
          <dt>Next run</dt>
          <dd>{job.nextRunAt ? formatTime(job.nextRunAt) : '—'}</dd>
        </div>
        {(
          [
            ['In CRM', 'in_crm', chats.inCrm],
            ['Waiting', 'waiting', chats.waiting],
            ['Not in CRM', 'not_in_crm', chats.notInCrm],
            ['Failed', 'failed', chats.failed],
            ['Excluded', 'excluded', chats.excluded],
          ] as const
        ).map(([label, state, count]) => (
          <div key={state}>
            <dt>{label}</dt>
            <dd>
              <Link to={`/chats?crm=${state}&connection=${encodeURIComponent(status.connection.id)}`}>
                {count}
              </Link>
            </dd>
          </div>
        ))}
        {writes.rejected > 0 ? (
          <div>
            <dt>Writes refused</dt>
            <dd>{writes.rejected}</dd>
          </div>
        ) : null}
      </dl>
      {job.lastSummaryText ? (
        <p className="small" data-testid="last-summary">
          Last run: {job.lastSummaryText}
        </p>
      ) : null}
      {job.lastError ? <Notice kind="error">The last run stopped: {job.lastError}</Notice> : null}
      {problems.length > 0 ? (
        <>
          <h3>Failures</h3>
          <div className="table-wrap">
            <table className="stacked">
              <thead>
                <tr>
                  <th scope="col">Chat</th>
                  <th scope="col">What</th>
                  <th scope="col">State</th>
                  <th scope="col">Why</th>
                </tr>
              </thead>
              <tbody>
                {problems.map((problem) => (
                  <tr key={problem.key}>
                    <td data-label="Chat">
                      <Link to={`/chats/${problem.chatId}`}>Open chat</Link>
                    </td>
                    <td data-label="What">
                      {problem.kind === 'file' ? 'File' : `Day ${problem.day ?? ''}`} on {problem.record.type}
                    </td>
                    <td data-label="State">
                      {problem.state === 'rejected'
                        ? 'Refused by the CRM'
                        : problem.state === 'failed'
                          ? `Retrying (${problem.attempts})`
                          : 'Unknown outcome'}
                    </td>
                    <td className="small" data-label="Why">
                      {problem.lastError ?? '—'}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      <h3>Contacts and leads</h3>
      {links?.length === 0 ? <p className="muted">No one is linked yet.</p> : null}
      {links && links.length > 0 ? (
        <div className="table-wrap">
          <table className="stacked" aria-label={`Linked records of ${connection.name}`}>
            <thead>
              <tr>
                <th scope="col">WhatsApp</th>
                <th scope="col">Record</th>
                <th scope="col">Linked</th>
                <th scope="col">Last sync</th>
              </tr>
            </thead>
            <tbody>
              {links.map((link) => (
                <tr key={link.id}>
                  <td data-label="WhatsApp">
                    {link.identity.name ?? (link.identity.phone ? formatPhone(link.identity.phone) : '—')}
                    {link.identity.name && link.identity.phone ? (
                      <span className="muted small"> {formatPhone(link.identity.phone)}</span>
                    ) : null}
                  </td>
                  <td data-label="Record">
                    {link.record.name ?? link.record.id} <span className="tag">{link.record.type}</span>
                  </td>
                  <td className="small" data-label="Linked">
                    {link.linkedBy === 'lookup'
                      ? 'by phone'
                      : link.linkedBy === 'created'
                        ? 'created here'
                        : 'by hand'}
                  </td>
                  <td data-label="Last sync">
                    {link.lastSyncedAt ? formatTime(link.lastSyncedAt) : 'Not yet'}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
