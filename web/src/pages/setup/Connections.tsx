import { useState } from 'react';
import { api, describe } from '../../api';
import { useCrmKinds } from '../../connections';
import { useList } from '../../list';
import type { Answer, Connection, CrmKind, SavedConnection } from '../../types';
import { formatTime, Notice } from '../../ui';
import { ConnectionForm } from './ConnectionForm';
import { OAuthConnect, OAuthOutcome, signsIn } from './OAuthConnect';

export function Connections() {
  const [adding, setAdding] = useState(false);
  /** The kind being connected by signing in at the CRM. */
  const [signingIn, setSigningIn] = useState<string>();
  const [error, setError] = useState<string>();
  /** What the test of the connection just saved found. */
  const [saved, setSaved] = useState<SavedConnection>();
  const { rows, reload: load } = useList<Connection>('/connections', setError);
  const kinds = useCrmKinds(setError);
  const signingInKind = kinds?.filter(signsIn).find((kind) => kind.kind === signingIn);
  return (
    <section className="panel" aria-labelledby="crm-title">
      <div className="panel-head">
        <h1 id="crm-title">CRM connections</h1>
        {adding || signingIn || !kinds ? null : (
          <div className="buttons">
            {kinds.filter(signsIn).map((kind) => (
              <button
                key={kind.kind}
                type="button"
                className="primary"
                onClick={() => setSigningIn(kind.kind)}
              >
                Connect {kind.displayName}
              </button>
            ))}
            <button
              type="button"
              onClick={() => {
                setSaved(undefined);
                setAdding(true);
              }}
            >
              Connect a CRM
            </button>
          </div>
        )}
      </div>
      <OAuthOutcome kinds={kinds} />
      {error ? <Notice kind="error">{error}</Notice> : null}
      {saved ? <SavedOutcome saved={saved} /> : null}
      {signingInKind ? (
        <OAuthConnect
          key={signingInKind.kind}
          kind={signingInKind}
          onCancel={() => setSigningIn(undefined)}
        />
      ) : null}
      {adding && kinds ? (
        <ConnectDialog
          kinds={kinds}
          onDone={async (connection) => {
            setAdding(false);
            setSaved(connection);
            await load();
          }}
        />
      ) : null}
      {rows?.length === 0 && !adding && !signingIn ? (
        <p className="muted">No CRM yet. Connect one, and chats are backed up to it every sync interval.</p>
      ) : null}
      {rows?.map((row) => (
        <ConnectionItem
          key={row.id}
          connection={row}
          kind={kinds?.find((k) => k.kind === row.kind)}
          reload={load}
        />
      ))}
    </section>
  );
}

/** Whether the connection just saved signed in: "Active", or why it needs attention. */
function SavedOutcome({ saved }: { saved: SavedConnection }) {
  if (saved.state === 'parked')
    return (
      <Notice kind="error">
        Saved “{saved.name}”, but it needs attention: {saved.parkedReason}. Nothing syncs until the connection
        is fixed and tested again.
      </Notice>
    );
  return (
    <Notice kind={saved.test.ok ? 'success' : 'info'}>
      Connected “{saved.name}”: it signed in{saved.test.ok ? ' and is ready to sync.' : ', but:'}
      {saved.test.ok ? null : (
        <ul>
          {saved.test.problems.map((problem) => (
            <li key={problem}>{problem}</li>
          ))}
        </ul>
      )}
    </Notice>
  );
}

function ConnectionItem({
  connection,
  kind,
  reload,
}: {
  connection: Connection;
  kind: CrmKind | undefined;
  reload: () => Promise<void>;
}) {
  const [result, setResult] = useState<{
    kind: 'error' | 'info' | 'success';
    text: string;
    items?: string[];
  }>();
  const [busy, setBusy] = useState(false);
  const run = async (what: () => Promise<void>) => {
    setBusy(true);
    try {
      await what();
    } catch (failure) {
      setResult({ kind: 'error', text: describe(failure) });
    } finally {
      setBusy(false);
    }
  };
  const test = () =>
    run(async () => {
      const answer = await api<Answer<'/connections/{connectionId}/test', 'post'>>(
        'POST',
        `/connections/${connection.id}/test`,
      );
      // A test may park the connection (it cannot sign in) or make it active again.
      await reload();
      setResult(
        answer.ok
          ? { kind: 'success', text: 'Connected, and everything wasync writes into is set up.' }
          : answer.failure
            ? { kind: 'error', text: `Could not sign in: ${answer.failure.message} (${answer.failure.code})` }
            : { kind: 'error', text: 'Signed in, but:', items: answer.problems },
      );
    });
  const setUp = () =>
    run(async () => {
      const answer = await api<Answer<'/connections/{connectionId}/setup', 'post'>>(
        'POST',
        `/connections/${connection.id}/setup`,
      );
      const done =
        answer.created.length > 0
          ? `Set up: ${answer.created.length} change(s) made${answer.existing.length ? `, ${answer.existing.length} already there` : ''}.`
          : 'Already set up: nothing to change.';
      setResult(
        answer.manualSteps.length > 0
          ? {
              kind: 'info',
              text: `${done} Left for you to do in ${kind?.displayName ?? connection.kind}:`,
              items: answer.manualSteps,
            }
          : { kind: 'success', text: done },
      );
      await reload();
    });
  const remove = () =>
    run(async () => {
      if (
        !window.confirm(
          `Delete “${connection.name}”? Its links and sync history go; the CRM keeps what was written.`,
        )
      )
        return;
      await api('DELETE', `/connections/${connection.id}`);
      await reload();
    });
  return (
    <article className="item" aria-label={connection.name}>
      <div className="item-head">
        <div>
          <span className="item-title">{connection.name}</span> <span className="tag">{connection.kind}</span>
          <div className="muted small">
            {connection.summary ? `${connection.summary} · ` : ''}since {formatTime(connection.createdAt)}
          </div>
        </div>
        <span className={`crm-state ${connection.state === 'parked' ? 'failed' : 'in_crm'}`}>
          {connection.state === 'parked' ? 'Needs attention' : 'Active'}
        </span>
      </div>
      {connection.state === 'parked' ? (
        <Notice kind="error">
          Needs attention: {connection.parkedReason}. The sync waits until a test passes.
        </Notice>
      ) : null}
      <div className="buttons">
        <button type="button" disabled={busy} onClick={() => void test()}>
          Test connection
        </button>
        {kind?.setup ? (
          <button type="button" disabled={busy} onClick={() => void setUp()}>
            {kind.setup.label}
          </button>
        ) : null}
        <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
          Delete
        </button>
      </div>
      {result ? (
        <Notice kind={result.kind}>
          {result.text}
          {result.items ? (
            <ul>
              {result.items.map((item) => (
                <li key={item}>{item}</li>
              ))}
            </ul>
          ) : null}
        </Notice>
      ) : null}
    </article>
  );
}

/** "Connect a CRM": the registered kinds to pick from (when there are several), then the kind's own form. */
function ConnectDialog({
  kinds,
  onDone,
}: {
  kinds: CrmKind[];
  onDone: (saved?: SavedConnection) => Promise<void>;
}) {
  const [chosen, setChosen] = useState(kinds[0]?.kind);
  const kind = kinds.find((k) => k.kind === chosen);
  return (
    <div className="stack">
      {kinds.length > 1 ? (
        <fieldset className="choice">
          <legend>CRM</legend>
          {kinds.map((k) => (
            <label key={k.kind}>
              <input
                type="radio"
                name="crm-kind"
                checked={chosen === k.kind}
                onChange={() => setChosen(k.kind)}
              />{' '}
              {k.displayName}
            </label>
          ))}
        </fieldset>
      ) : null}
      {kind ? <ConnectionForm key={kind.kind} kind={kind} onDone={onDone} /> : null}
    </div>
  );
}
