/**
 * The Bitrix24 sandbox's seeding and reading routes under `/__sandbox/`, so that a demo or a test can
 * fill a portal someone else runs (`wasync sandbox bitrix24`) as it would one in its own process
 * through `portal.seed*`: users (to be responsible persons), contacts, leads, companies and deals,
 * and a look at the timeline comments with their files. Not part of the portal's API; an adapter
 * must never call them.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Bitrix24Error } from './method.js';
import type { CrmEntity, EntityKind, Portal, TimelineComment } from './portal.js';

const Id = z.number().int().min(1);
const Phone = z.union([
  z.string().min(1),
  z
    .object({ value: z.string().min(1), valueType: z.string().optional() })
    .transform(({ value, valueType }) => (valueType === undefined ? { value } : { value, valueType })),
]);

const User = z.strictObject({
  id: Id.optional(),
  name: z.string().optional(),
  lastName: z.string().optional(),
  email: z.string().optional(),
  active: z.boolean().optional(),
  workPosition: z.string().optional(),
});

const Person = {
  name: z.string().optional(),
  lastName: z.string().optional(),
  phones: z.array(Phone).optional(),
  emails: z.array(z.string()).optional(),
  companyId: Id.optional(),
  assignedById: Id.optional(),
};

const Seed = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('contact'), ...Person }),
  z.strictObject({
    kind: z.literal('lead'),
    ...Person,
    title: z.string().optional(),
    companyTitle: z.string().optional(),
  }),
  z.strictObject({ kind: z.literal('company'), title: z.string().min(1), assignedById: Id.optional() }),
  z.strictObject({
    kind: z.literal('deal'),
    title: z.string().min(1),
    contactId: Id.optional(),
    companyId: Id.optional(),
    stageId: z.string().optional(),
    opportunity: z.number().optional(),
    closed: z.boolean().optional(),
    assignedById: Id.optional(),
  }),
]);

const KINDS = ['contact', 'lead', 'deal', 'company'] as const satisfies readonly EntityKind[];
const Kind = z.enum(KINDS);

const invalid = (error: z.ZodError) => new Bitrix24Error(400, 'INVALID_REQUEST', z.prettifyError(error));

/** A parsed body without its absent keys, as the portal's seed shapes (exact optional types) take it. */
function present<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

function recordView(entity: CrmEntity) {
  const comms = (type: 'PHONE' | 'EMAIL') =>
    entity.multifields
      .filter((m) => m.typeId === type)
      .map((m) => ({ value: m.value, valueType: m.valueType }));
  return {
    kind: entity.kind,
    id: entity.id,
    fields: entity.fields,
    phones: comms('PHONE'),
    emails: comms('EMAIL'),
    assignedById: entity.assignedById,
    createdAt: new Date(entity.createdAt).toISOString(),
    modifiedAt: new Date(entity.modifiedAt).toISOString(),
  };
}

function commentView(portal: Portal, comment: TimelineComment) {
  return {
    id: comment.id,
    entityType: comment.entityType,
    entityId: comment.entityId,
    comment: comment.comment,
    authorId: comment.authorId,
    createdAt: new Date(comment.createdAt).toISOString(),
    files: comment.fileIds.flatMap((id) => {
      const file = portal.files.get(id);
      return file
        ? [{ id: file.id, name: file.name, size: file.content.length, url: portal.downloadUrl(file) }]
        : [];
    }),
  };
}

export function seedingRoutes(portal: Portal) {
  return (app: FastifyInstance) => {
    app.post('/__sandbox/users', async (request, reply) => {
      const parsed = User.safeParse(request.body ?? {});
      if (!parsed.success) throw invalid(parsed.error);
      if (parsed.data.id !== undefined && portal.user(parsed.data.id))
        throw new Bitrix24Error(409, 'ALREADY_EXISTS', `user ${parsed.data.id} already exists`);
      return reply.status(201).send(portal.seedUser(present(parsed.data)));
    });
    app.get('/__sandbox/users', async () => ({ users: [...portal.users.values()] }));

    app.post('/__sandbox/records', async (request, reply) => {
      const parsed = Seed.safeParse(request.body ?? {});
      if (!parsed.success) throw invalid(parsed.error);
      const seed = present(parsed.data);
      const entity =
        seed.kind === 'contact'
          ? portal.seedContact(seed)
          : seed.kind === 'lead'
            ? portal.seedLead(seed)
            : seed.kind === 'company'
              ? portal.seedCompany(seed.title, seed.assignedById)
              : portal.seedDeal(seed);
      return reply.status(201).send(recordView(entity));
    });
    app.get<{ Querystring: { kind?: string } }>('/__sandbox/records', async (request) => {
      const kind = Kind.safeParse(request.query.kind);
      if (!kind.success) throw invalid(kind.error);
      return { records: portal.all(kind.data).map(recordView) };
    });

    app.get<{ Querystring: { entityType?: string; entityId?: string } }>(
      '/__sandbox/comments',
      async (request) => {
        const { entityType, entityId } = request.query;
        const comments = [...portal.comments.values()]
          .filter((c) => entityType === undefined || c.entityType === entityType)
          .filter((c) => entityId === undefined || c.entityId === Number(entityId))
          .sort((a, b) => a.id - b.id);
        return { comments: comments.map((c) => commentView(portal, c)) };
      },
    );
  };
}
