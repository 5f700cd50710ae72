import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AuditLog } from '../../audit/audit-log.js';
import { passwordProblem } from '../../auth/passwords.js';
import { startSignIn } from '../../auth/sign-in-throttle.js';
import { WasyncError } from '../../core/errors.js';
import type { Services } from '../../services.js';
import type { Invite, User } from '../../store/repositories/people.js';
import { clearSessionCookie, grantOf, requireAdmin, setSessionCookie } from '../auth.js';
import { ErrorEnvelopeSchema } from '../error-envelope.js';
import { secretLinkOrigin } from '../link-origin.js';

const Role = z.enum(['admin', 'member']);

const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: Role,
    createdAt: z.string(),
    lastSignInAt: z.string().optional(),
  })
  .meta({ id: 'User' });

const SessionSchema = z
  .object({
    user: UserSchema,
    csrfToken: z.string().describe('Send it as X-CSRF-Token with every change made through this session.'),
    expiresAt: z.string(),
  })
  .meta({ id: 'Session' });

const InviteSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: Role,
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .meta({ id: 'Invite' });

const Email = z.email().max(254);
const Name = z.string().trim().min(1).max(128);
const Password = z
  .string()
  .max(256)
  .superRefine((value, context) => {
    const problem = passwordProblem(value);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });

function userDto(user: User): z.infer<typeof UserSchema> {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    createdAt: user.createdAt.toISOString(),
    ...(user.lastSignInAt ? { lastSignInAt: user.lastSignInAt.toISOString() } : {}),
  };
}

function inviteDto(invite: Invite): z.infer<typeof InviteSchema> {
  return {
    id: invite.id,
    email: invite.email,
    role: invite.role,
    createdAt: invite.createdAt.toISOString(),
    expiresAt: invite.expiresAt.toISOString(),
  };
}

/**
 * People: the first admin's sign-up, signing in and out, the signed-in user's password, and (admins)
 * the team: users, roles, invites. Sessions are httpOnly cookies; see auth.ts for CSRF.
 */
export function peopleRoutes(services: Services): FastifyPluginAsyncZod {
  const { store, config, workspace, passwords, audit } = services;
  const userTarget = (user: { id: string; name: string; email: string }) => ({
    type: 'user',
    id: user.id,
    label: `${user.name} <${user.email}>`,
  });
  // A hash to check against when the e-mail is unknown, so that the answer takes as long either way.
  let decoy: Promise<string> | undefined;
  const decoyHash = () => {
    decoy ??= passwords.hash('no user has this password');
    return decoy;
  };

  const startSession = async (request: FastifyRequest, reply: FastifyReply, user: User) => {
    const session = await store.sessions.create(user.id, request.headers['user-agent']);
    setSessionCookie(request, reply, session.token, session.expiresAt, config.publicUrl);
    return {
      user: userDto(user),
      csrfToken: session.csrfToken,
      expiresAt: new Date(session.expiresAt).toISOString(),
    };
  };
  const sessionGrant = (request: FastifyRequest) => {
    const grant = grantOf(request);
    if (grant.via !== 'session') {
      throw new WasyncError('forbidden', 'This is about a signed-in person; an API token has no session.');
    }
    return grant;
  };

  return async (app) => {
    app.get(
      '/setup',
      {
        schema: {
          tags: ['people'],
          summary:
            'Where a browser starts (public): does the workspace need its first admin, who is signed in',
          description:
            'The web app asks this first: it answers without an error whether or not the session cookie is good.',
          security: [],
          response: { 200: z.object({ needsFirstAdmin: z.boolean(), session: SessionSchema.optional() }) },
        },
      },
      async (request) => {
        const needsFirstAdmin = (await store.people.count(workspace.id)) === 0;
        const grant = request.grant;
        if (grant?.via !== 'session') return { needsFirstAdmin };
        const user = await store.people.get(grant.workspaceId, grant.userId);
        return {
          needsFirstAdmin,
          ...(user
            ? {
                session: {
                  user: userDto(user),
                  csrfToken: grant.csrfToken,
                  expiresAt: new Date(grant.expiresAt).toISOString(),
                },
              }
            : {}),
        };
      },
    );

    app.post(
      '/setup/admin',
      {
        schema: {
          tags: ['people'],
          summary: "Create the workspace's first user, an admin, and sign in (public, once)",
          security: [],
          body: z.strictObject({ email: Email, name: Name, password: Password }),
          response: {
            201: SessionSchema,
            400: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
            503: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        // Checked before the costly hash, so that repeating this request costs the server nothing;
        // createFirstAdmin checks again atomically for two people racing.
        if ((await store.people.count(workspace.id)) > 0) throw firstAdminExists();
        const passwordHash = await passwords.hash(request.body.password);
        const user = await store.people.createFirstAdmin({
          workspaceId: workspace.id,
          email: request.body.email,
          name: request.body.name,
          passwordHash,
        });
        if (!user) throw firstAdminExists();
        await store.people.recordSignIn(user.id);
        await audit.record(
          { request, actor: AuditLog.person(user) },
          'workspace.first_admin_created',
          userTarget(user),
          {
            role: user.role,
          },
        );
        return reply.status(201).send(await startSession(request, reply, user));
      },
    );

    app.post(
      '/session',
      {
        schema: {
          tags: ['people'],
          summary: 'Sign in with e-mail and password; sets the session cookie (public)',
          security: [],
          body: z.strictObject({ email: z.string().max(254), password: z.string().max(256) }),
          response: {
            200: SessionSchema,
            401: ErrorEnvelopeSchema,
            429: ErrorEnvelopeSchema,
            503: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const attempt = await startSignIn(store.throttle, request.body.email, request.ip);
        const found = await store.people.findByEmail(request.body.email);
        const ok = await passwords.verify(request.body.password, found?.passwordHash ?? (await decoyHash()));
        if (!found?.passwordHash || !ok) {
          // Counted attempts only (the throttle bounds them), so a flood of refused ones adds no rows.
          const email = request.body.email.trim().toLowerCase();
          await audit.record(
            { request, actor: { via: 'anonymous', label: email } },
            'session.sign_in_failed',
            found ? userTarget(found) : { type: 'user', label: email },
            { email, reason: found ? 'wrong_password' : 'unknown_email' },
          );
          throw new WasyncError('invalid_credentials', 'That e-mail and password do not match an account.');
        }
        await attempt.succeeded();
        // A hash made with a lower cost than configured now is replaced while the password is at hand.
        const rehash = passwords.needsRehash(found.passwordHash)
          ? await passwords.hash(request.body.password)
          : undefined;
        await store.people.recordSignIn(found.id, rehash);
        await audit.record({ request, actor: AuditLog.person(found) }, 'session.sign_in', userTarget(found));
        return startSession(request, reply, found);
      },
    );

    app.get(
      '/session',
      {
        schema: {
          tags: ['people'],
          summary: 'The signed-in user and the CSRF token of the session',
          response: { 200: SessionSchema, 401: ErrorEnvelopeSchema, 403: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const grant = sessionGrant(request);
        const user = await store.people.get(grant.workspaceId, grant.userId);
        if (!user) throw new WasyncError('session_expired', 'Your session has ended; sign in again.');
        return {
          user: userDto(user),
          csrfToken: grant.csrfToken,
          expiresAt: new Date(grant.expiresAt).toISOString(),
        };
      },
    );

    app.delete(
      '/session',
      {
        schema: {
          tags: ['people'],
          summary: 'Sign out: ends the session and clears its cookie',
          response: { 204: z.null(), 403: ErrorEnvelopeSchema },
        },
      },
      async (request, reply) => {
        const grant = sessionGrant(request);
        await store.sessions.end(grant.sessionId);
        clearSessionCookie(reply);
        await audit.record(
          request,
          'session.sign_out',
          userTarget({ id: grant.userId, name: grant.name, email: grant.email }),
        );
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/session/password',
      {
        schema: {
          tags: ['people'],
          summary: "Change the signed-in user's password; ends their other sessions",
          body: z.strictObject({ currentPassword: z.string().max(256), newPassword: Password }),
          response: {
            204: z.null(),
            400: ErrorEnvelopeSchema,
            401: ErrorEnvelopeSchema,
            429: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const grant = sessionGrant(request);
        // A stolen session must not become a way to guess the password: the same count as sign-in.
        const attempt = await startSignIn(store.throttle, grant.email, request.ip);
        const found = await store.people.findByEmail(grant.email);
        if (
          !found?.passwordHash ||
          !(await passwords.verify(request.body.currentPassword, found.passwordHash))
        ) {
          throw new WasyncError('invalid_credentials', 'The current password is not right.');
        }
        await attempt.succeeded();
        await store.people.setPassword(found.id, await passwords.hash(request.body.newPassword));
        await store.sessions.endAllOf(found.id, grant.sessionId);
        await audit.record(request, 'session.password_changed', userTarget(found));
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/users',
      {
        schema: {
          tags: ['people'],
          summary: 'The people of the workspace (admin)',
          response: { 200: z.object({ data: z.array(UserSchema) }), 403: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        return { data: (await store.people.list(workspaceId)).map(userDto) };
      },
    );

    app.patch(
      '/users/:userId',
      {
        schema: {
          tags: ['people'],
          summary: "Change a person's role (admin); the last admin stays admin",
          params: z.object({ userId: z.string() }),
          body: z.strictObject({ role: Role }),
          response: {
            200: UserSchema,
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
          },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        const before = await store.people.get(workspaceId, request.params.userId);
        const outcome = await store.people.setRole(workspaceId, request.params.userId, request.body.role);
        if (outcome === 'not_found') throw new WasyncError('not_found', `No user ${request.params.userId}.`);
        if (outcome === 'last_admin')
          throw new WasyncError('conflict', 'The workspace needs an admin; make someone else admin first.');
        const user = await store.people.get(workspaceId, request.params.userId);
        if (!user) throw new WasyncError('not_found', `No user ${request.params.userId}.`);
        if (before?.role !== user.role) {
          await audit.record(request, 'user.role_changed', userTarget(user), {
            from: before?.role,
            to: user.role,
          });
        }
        return userDto(user);
      },
    );

    app.delete(
      '/users/:userId',
      {
        schema: {
          tags: ['people'],
          summary: 'Remove a person (admin): their sessions end and their API tokens are revoked',
          params: z.object({ userId: z.string() }),
          response: {
            204: z.null(),
            403: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const { workspaceId } = requireAdmin(request);
        const before = await store.people.get(workspaceId, request.params.userId);
        const outcome = await store.people.remove(workspaceId, request.params.userId);
        if (outcome === 'not_found') throw new WasyncError('not_found', `No user ${request.params.userId}.`);
        if (outcome === 'last_admin')
          throw new WasyncError('conflict', 'The workspace needs an admin; make someone else admin first.');
        await audit.record(
          request,
          'user.removed',
          before ? userTarget(before) : { type: 'user', id: request.params.userId },
          before ? { role: before.role } : undefined,
        );
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/invites',
      {
        schema: {
          tags: ['people'],
          summary: 'Invite someone by e-mail (admin); answers the link to send them, shown once',
          body: z.strictObject({ email: Email, role: Role.default('member') }),
          response: {
            201: z.object({ invite: InviteSchema, url: z.string() }),
            403: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        const grant = requireAdmin(request);
        if (await store.people.findByEmail(request.body.email)) {
          throw new WasyncError('conflict', `${request.body.email} has an account already.`);
        }
        // Before the invite is made: a link that cannot be built leaves no invite behind.
        const origin = secretLinkOrigin(config.publicUrl, request);
        const { token, invite } = await store.people.invite({
          workspaceId: grant.workspaceId,
          email: request.body.email,
          role: request.body.role,
          invitedBy: grant.userId,
        });
        await audit.record(
          request,
          'invite.created',
          { type: 'invite', id: invite.id, label: invite.email },
          { email: invite.email, role: invite.role },
        );
        return reply.status(201).send({ invite: inviteDto(invite), url: `${origin}/invite/${token}` });
      },
    );

    app.get(
      '/invites',
      {
        schema: {
          tags: ['people'],
          summary: 'Open invites (admin)',
          response: { 200: z.object({ data: z.array(InviteSchema) }), 403: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const { workspaceId } = requireAdmin(request);
        return { data: (await store.people.listInvites(workspaceId)).map(inviteDto) };
      },
    );

    app.delete(
      '/invites/:inviteId',
      {
        schema: {
          tags: ['people'],
          summary: 'Revoke an open invite (admin)',
          params: z.object({ inviteId: z.string() }),
          response: { 204: z.null(), 403: ErrorEnvelopeSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request, reply) => {
        const { workspaceId } = requireAdmin(request);
        const invite = (await store.people.listInvites(workspaceId)).find(
          (i) => i.id === request.params.inviteId,
        );
        if (!(await store.people.revokeInvite(workspaceId, request.params.inviteId))) {
          throw new WasyncError('not_found', `No open invite ${request.params.inviteId}.`);
        }
        await audit.record(
          request,
          'invite.revoked',
          { type: 'invite', id: request.params.inviteId, label: invite?.email },
          invite ? { email: invite.email, role: invite.role } : undefined,
        );
        return reply.status(204).send(null);
      },
    );

    app.get(
      '/invites/:token',
      {
        schema: {
          tags: ['people'],
          summary: 'What an invite link is for (public): the e-mail and role it gives',
          security: [],
          params: z.object({ token: z.string() }),
          response: { 200: InviteSchema, 404: ErrorEnvelopeSchema },
        },
      },
      async (request) => {
        const invite = await store.people.openInvite(request.params.token);
        if (!invite) throw inviteInvalid();
        return inviteDto(invite);
      },
    );

    app.post(
      '/invites/:token/accept',
      {
        schema: {
          tags: ['people'],
          summary: 'Accept an invite: choose a name and password, and sign in (public)',
          security: [],
          params: z.object({ token: z.string() }),
          body: z.strictObject({ name: Name, password: Password }),
          response: {
            201: SessionSchema,
            400: ErrorEnvelopeSchema,
            404: ErrorEnvelopeSchema,
            409: ErrorEnvelopeSchema,
            503: ErrorEnvelopeSchema,
          },
        },
      },
      async (request, reply) => {
        // Checked before the costly hash (acceptInvite checks again atomically).
        const invite = await store.people.openInvite(request.params.token);
        if (!invite) throw inviteInvalid();
        if (await store.people.findByEmail(invite.email)) throw emailTaken();
        const passwordHash = await passwords.hash(request.body.password);
        const outcome = await store.people.acceptInvite({
          token: request.params.token,
          name: request.body.name,
          passwordHash,
        });
        if (outcome === 'used') throw inviteInvalid();
        if (outcome === 'email_taken') throw emailTaken();
        await store.people.recordSignIn(outcome.id);
        await audit.record(
          { request, actor: AuditLog.person(outcome) },
          'invite.accepted',
          { type: 'invite', id: invite.id, label: invite.email },
          { role: outcome.role },
        );
        return reply.status(201).send(await startSession(request, reply, outcome));
      },
    );
  };
}

const firstAdminExists = () =>
  new WasyncError('conflict', 'The workspace has its admin already; sign in instead.');
const inviteInvalid = () =>
  new WasyncError('invite_invalid', 'This invite link is used, revoked or expired.');
const emailTaken = () => new WasyncError('conflict', 'That e-mail has an account already; sign in.');
