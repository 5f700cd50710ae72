/**
 * `user.get` and `user.current` (b24restdocs api-reference/user/): the portal's users, for the card's
 * responsible person and a comment's author. Both take the scope `user`, `user_brief` or
 * `user_basic`, and the fields a user shows depend on which the caller has (user/index.md).
 */
import { Bitrix24Error, type MethodContext, type MethodDefinition } from '../method.js';
import type { PortalUser } from '../portal.js';
import {
  bitrixDate,
  isRecord,
  meets,
  type Params,
  page,
  parseFilterKey,
  sortBy,
  startParam,
} from './params.js';

const USER_SCOPES = ['user', 'user_brief', 'user_basic'] as const;

/**
 * The fields a limited scope shows (user/index.md, "Limited Versions of the User Scope", among those
 * the sandbox keeps): `user_basic` has the e-mail, `user_brief` not; `USER_TYPE` is in neither list.
 */
const BASIC_FIELDS = [
  'ID',
  'ACTIVE',
  'NAME',
  'LAST_NAME',
  'SECOND_NAME',
  'EMAIL',
  'IS_ONLINE',
  'TIME_ZONE',
  'DATE_REGISTER',
  'PERSONAL_GENDER',
  'WORK_POSITION',
  'UF_DEPARTMENT',
];
const BRIEF_FIELDS = BASIC_FIELDS.filter((field) => field !== 'EMAIL');

/** Every field as `user` shows it: ID a string, ACTIVE a boolean (user-get.md answer). */
function fullView(user: PortalUser): Record<string, unknown> {
  return {
    ID: String(user.id),
    ACTIVE: user.active,
    NAME: user.name,
    LAST_NAME: user.lastName,
    SECOND_NAME: user.secondName,
    EMAIL: user.email,
    LAST_LOGIN: null,
    DATE_REGISTER: bitrixDate(user.registeredAt),
    TIME_ZONE: '',
    IS_ONLINE: 'N',
    PERSONAL_GENDER: '',
    WORK_POSITION: user.workPosition,
    UF_DEPARTMENT: user.departments,
    USER_TYPE: user.userType,
  };
}

export function userView(context: MethodContext, user: PortalUser): Record<string, unknown> {
  const full = fullView(user);
  if (context.scopes.includes('user')) return full;
  const fields = context.scopes.includes('user_basic') ? BASIC_FIELDS : BRIEF_FIELDS;
  return Object.fromEntries(Object.entries(full).filter(([field]) => fields.includes(field)));
}

/** The fields user.get filters and sorts on (a subset of user.add's, with USER_TYPE: user-get.md `FILTER`). */
const FILTER_FIELDS = [
  'ID',
  'ACTIVE',
  'NAME',
  'LAST_NAME',
  'SECOND_NAME',
  'EMAIL',
  'WORK_POSITION',
  'USER_TYPE',
  'UF_DEPARTMENT',
];

function fieldValue(user: PortalUser, field: string): unknown[] {
  switch (field) {
    case 'ID':
      return [String(user.id)];
    case 'ACTIVE':
      return [user.active ? 'Y' : 'N'];
    case 'UF_DEPARTMENT':
      return user.departments.map(String);
    default:
      return [fullView(user)[field]];
  }
}

/** `ACTIVE` wanted as true/'Y'/'true'/1 or false/'N'/'false'/0, compared as Y/N. */
const activeFlag = (value: unknown) => (['Y', 'true', '1', 'TRUE'].includes(String(value)) ? 'Y' : 'N');

/**
 * The filter's conditions: `FILTER` (or `filter`), and user fields named at the top level as in the
 * page's first example (`"UF_DEPARTMENT": 1` beside `SORT`). A value may be a list ("Filtering
 * parameters can take array values"), an IN. Prefixes as crm lists take them; `!%`, `!=%`, `!%=` and
 * `NAME_SEARCH` are documented but not modelled, and refused with any unknown field inside a filter
 * (unverified, the stricter choice); a top-level key that names no user field is not a condition.
 */
function conditions(params: Params): { op: string; field: string; wanted: unknown }[] {
  const found: { op: string; field: string; wanted: unknown }[] = [];
  const filter = params.FILTER ?? params.filter;
  if (filter !== undefined && filter !== null && !(Array.isArray(filter) && filter.length === 0)) {
    if (!isRecord(filter)) throw new Bitrix24Error(400, 'ERROR_CORE', 'FILTER must be an object.');
    for (const [key, wanted] of Object.entries(filter)) {
      const { op, field } = parseFilterKey(key);
      if (!FILTER_FIELDS.includes(field))
        throw new Bitrix24Error(400, 'ERROR_CORE', `Unknown filter field ${field}.`);
      found.push({ op, field, wanted });
    }
  }
  for (const [key, wanted] of Object.entries(params)) {
    const { op, field } = parseFilterKey(key);
    if (FILTER_FIELDS.includes(field)) found.push({ op, field, wanted });
  }
  return found;
}

const userGet: MethodDefinition = {
  scope: USER_SCOPES,
  handle: (params, context) => {
    const matching = [...context.portal.users.values()]
      .sort((a, b) => a.id - b.id)
      .filter((user) =>
        conditions(params).every(({ op, field, wanted }) => {
          if (field === 'ACTIVE') return meets(fieldValue(user, field), op, activeFlag(wanted));
          return meets(fieldValue(user, field), op, wanted);
        }),
      );
    // `sort` names one field, `order` its direction, ASC or DESC (the page's parameters; its examples
    // spell them SORT and ORDER). Another field or direction is refused (unverified, stricter).
    const sort = params.sort ?? params.SORT;
    const direction = String(params.order ?? params.ORDER ?? 'ASC').toUpperCase();
    if (sort !== undefined && !FILTER_FIELDS.includes(String(sort)))
      throw new Bitrix24Error(400, 'ERROR_CORE', `Cannot sort by ${String(sort)}.`);
    if (direction !== 'ASC' && direction !== 'DESC')
      throw new Bitrix24Error(400, 'ERROR_CORE', `Unknown sort direction ${direction}.`);
    const sorted =
      sort === undefined
        ? matching
        : sortBy(matching, { [String(sort)]: direction }, (user, field) => fieldValue(user, field)[0]);
    // 50 a page with `start` (the page's `start`); `total` in the answer.
    const { rows, total, next } = page(sorted, startParam(params));
    return {
      result: rows.map((user) => userView(context, user)),
      total,
      ...(next === undefined ? {} : { next }),
    };
  },
};

/**
 * The caller's own user: "the one whose token you used" (user-current.md). A webhook's user always
 * exists on a real portal; one the sandbox was never told of (a webhook registered for any user id)
 * is answered as a user without a name.
 */
const userCurrent: MethodDefinition = {
  scope: USER_SCOPES,
  handle: (_params, context) => {
    const known = context.portal.user(context.userId);
    const user: PortalUser = known ?? {
      id: context.userId,
      name: '',
      lastName: '',
      secondName: '',
      email: '',
      active: true,
      workPosition: '',
      userType: 'employee',
      registeredAt: context.portal.now(),
      departments: [1],
    };
    return { result: userView(context, user) };
  },
};

export const USER_METHODS: Record<string, MethodDefinition> = {
  'user.get': userGet,
  'user.current': userCurrent,
};
