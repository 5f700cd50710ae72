import { Navigate, NavLink, Route, Routes } from 'react-router';
import { LiveProvider } from './live';
import { AuditPage } from './pages/Audit';
import { ChatsPage } from './pages/Chats';
import { ChatViewPage } from './pages/ChatView';
import { ExtensionPage } from './pages/Extension';
import { FirstRunPage } from './pages/FirstRun';
import { InvitePage } from './pages/Invite';
import { PrivacyPage } from './pages/Privacy';
import { SetupPage } from './pages/Setup';
import { SignInPage } from './pages/SignIn';
import { SyncPage } from './pages/Sync';
import { Accounts } from './pages/setup/Accounts';
import { TeamPage } from './pages/Team';
import { UnmatchedPage } from './pages/Unmatched';
import { SessionProvider, useSession, useUser } from './session';
import { Brand } from './ui';

export function App() {
  return (
    <SessionProvider>
      <Routes>
        <Route path="/invite/:token" element={<InvitePage />} />
        <Route path="*" element={<Gate />} />
      </Routes>
    </SessionProvider>
  );
}

/** Everything but invite links: the first-run page, the sign-in, or the workspace. */
function Gate() {
  const { session } = useSession();
  switch (session.state) {
    case 'loading':
      return (
        <main className="auth" aria-busy="true">
          <p className="muted">Loading…</p>
        </main>
      );
    case 'first-run':
      return <FirstRunPage />;
    case 'signed-out':
      return <SignInPage reason={session.reason} />;
    case 'signed-in':
      return (
        <LiveProvider>
          <Workspace />
        </LiveProvider>
      );
  }
}

function Workspace() {
  const user = useUser();
  const { signOut } = useSession();
  return (
    <div className="shell">
      <a className="skip" href="#content">
        Skip to content
      </a>
      <header className="topbar">
        <Brand />
        <nav aria-label="Main">
          <NavLink to="/chats" end={false}>
            Chats
          </NavLink>
          <NavLink to="/unmatched">Unmatched</NavLink>
          <NavLink to="/sync">Sync</NavLink>
          {user.role === 'admin' ? (
            <NavLink to="/setup">Setup</NavLink>
          ) : (
            <NavLink to="/numbers">My numbers</NavLink>
          )}
          {user.role === 'admin' ? <NavLink to="/team">Team</NavLink> : null}
          {user.role === 'admin' ? <NavLink to="/audit">Audit log</NavLink> : null}
          {user.role === 'admin' ? <NavLink to="/privacy">Privacy</NavLink> : null}
          <NavLink to="/extension">Browser extension</NavLink>
        </nav>
        <div className="account">
          <span className="account-name" title={user.email}>
            {user.name}
            <span className="role">{user.role}</span>
          </span>
          <button type="button" className="link" onClick={() => void signOut()}>
            Sign out
          </button>
        </div>
      </header>
      <main id="content" className="content">
        <Routes>
          <Route path="/" element={<Navigate to="/chats" replace />} />
          <Route path="/chats" element={<ChatsPage />} />
          <Route path="/chats/:chatId" element={<ChatViewPage />} />
          <Route path="/unmatched" element={<UnmatchedPage />} />
          <Route path="/sync" element={<SyncPage />} />
          <Route path="/numbers" element={<Accounts />} />
          <Route path="/extension" element={<ExtensionPage />} />
          <Route path="/setup" element={user.role === 'admin' ? <SetupPage /> : <AdminsOnly />} />
          <Route path="/team" element={user.role === 'admin' ? <TeamPage /> : <AdminsOnly />} />
          <Route path="/audit" element={user.role === 'admin' ? <AuditPage /> : <AdminsOnly />} />
          <Route path="/privacy" element={user.role === 'admin' ? <PrivacyPage /> : <AdminsOnly />} />
          <Route path="*" element={<NotFound />} />
        </Routes>
      </main>
    </div>
  );
}

function AdminsOnly() {
  return (
    <section className="panel">
      <h1>For admins</h1>
      <p className="muted">
        This page is for the admins of your workspace. Ask one of them if you need something here.
      </p>
    </section>
  );
}

function NotFound() {
  return (
    <section className="panel">
      <h1>Nothing here</h1>
      <p className="muted">
        This address leads nowhere. <NavLink to="/chats">Go to the chats</NavLink>.
      </p>
    </section>
  );
}
