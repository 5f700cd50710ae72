import type { FastifyInstance } from 'fastify';
import { pageParameter, ZohoApiError } from './errors.js';
import type { ResolvedZohoOptions } from './options.js';
import { SANDBOX_USER, zohoTime } from './org.js';

/** When the sandbox org and its user were made: a fixed time, so answers do not move between runs. */
const CREATED = Date.parse('2026-01-01T00:00:00Z');
const ORG_ID = '4876819000000000001';
const USER_ZUID = '800000101';

/**
 * The `type` values of Get Users (crm-oas v8.0/users getUsers, the enum of 18) and whether the
 * sandbox's one user (active, confirmed, an administrator, no manager, role CEO) is among them.
 */
const USER_TYPES: Record<string, boolean> = {
  CurrentUser: true,
  AllUsers: true,
  ActiveUsers: true,
  AllActiveUsers: true,
  ConfirmedUsers: true,
  ActiveConfirmedUsers: true,
  AdminUsers: true,
  ActiveConfirmedAdmins: true,
  ActiveAndDeactive: true,
  DeletedUsers: false,
  DeactiveUsers: false,
  NotConfirmedUsers: false,
  DeveloperUsers: false,
  ActiveLiteUser: false,
  ChildRoleUsers: false,
  ParentRoleUsers: false,
  SubordinateRoleUsers: false,
  ConfirmedReportingUsers: false,
};

/**
 * `GET /org` and `GET /users`: the org's details (crm-oas v8.0/org getOrganization, `OrgDetails`;
 * response-200-orggetresponse) and its users (v8.0/users getUsers, `GetUserDetails`). An adapter
 * reads `zgid` (or `domain_name`, "org" and the ZGID) to build record links into the web UI, and
 * `GET /users?type=CurrentUser` to test a connection and name who is signed in.
 */
export function orgApiRoutes(options: ResolvedZohoOptions) {
  return async (app: FastifyInstance) => {
    app.get('/org', async () => ({ org: [orgDetails(options)] }));

    /**
     * Users: 200 `{users, info}`; 204 when no user matches the `type` (the OAS's 204). A `type` not in
     * the OAS's enum is 400 INVALID_DATA naming it (unverified: the OAS shows that shape for `query_id`).
     */
    app.get<{ Querystring: { type?: string; page?: string; per_page?: string } }>(
      '/users',
      async (request, reply) => {
        const type = request.query.type ?? 'AllUsers';
        const matches = USER_TYPES[type];
        if (matches === undefined)
          throw new ZohoApiError(400, 'INVALID_DATA', 'invalid data', { param_name: 'type' });
        const page = pageParameter(request.query.page, 1, 'page');
        const perPage = Math.min(pageParameter(request.query.per_page, 200, 'per_page'), 200);
        const users = matches ? [sandboxUser()] : [];
        const slice = users.slice((page - 1) * perPage, page * perPage);
        if (slice.length === 0) return reply.status(204).send();
        return {
          users: slice,
          info: { per_page: perPage, count: slice.length, page, more_records: users.length > page * perPage },
        };
      },
    );
  };
}

/** The org as getOrganization answers it: the OAS example's keys, with the sandbox's values. */
export function orgDetails(options: ResolvedZohoOptions): Record<string, unknown> {
  return {
    id: ORG_ID,
    zgid: options.zgid,
    // OrgDetails.domain_name: "For instance, org694902300", the ZGID behind "org".
    domain_name: `org${options.zgid}`,
    company_name: options.companyName,
    alias: null,
    type: 'production',
    country: 'United States',
    country_code: 'US',
    city: null,
    state: null,
    street: null,
    zip: null,
    phone: null,
    mobile: null,
    fax: null,
    website: null,
    description: null,
    employee_count: null,
    photo_id: null,
    currency: 'US Dollar - USD',
    currency_symbol: '$',
    currency_locale: 'en_US',
    iso_code: 'USD',
    mc_status: false,
    time_zone: 'Etc/UTC',
    created_time: zohoTime(CREATED),
    primary_zuid: USER_ZUID,
    primary_email: SANDBOX_USER.email,
    zia_portal_id: null,
    gapps_enabled: false,
    translation_enabled: false,
    privacy_settings: false,
    hipaa_compliance_enabled: false,
    lite_users_enabled: false,
    deletable_org_account: false,
    max_per_page: 200,
    hierarchy_preferences: { type: 'Role_Hierarchy', strictly_reporting: false },
    license_details: {
      paid: options.edition !== 'free',
      paid_type: options.edition,
      paid_expiry: null,
      trial_type: null,
      trial_expiry: null,
      users_license_purchased: options.licenses,
      portal_users_license_purchased: 0,
    },
  };
}

/** The one user, the one every write is by (SANDBOX_USER), as getUsers shows a user. */
function sandboxUser(): Record<string, unknown> {
  const [first, ...rest] = SANDBOX_USER.name.split(' ');
  return {
    id: SANDBOX_USER.id,
    zuid: USER_ZUID,
    full_name: SANDBOX_USER.name,
    first_name: first ?? null,
    last_name: rest.join(' ') || null,
    email: SANDBOX_USER.email,
    status: 'active',
    confirm: true,
    type__s: 'Regular User',
    role: { name: 'CEO', id: '4876819000000000201' },
    profile: { name: 'Administrator', id: '4876819000000000301' },
    Reporting_To: null,
    locale: 'en_US',
    time_zone: 'Etc/UTC',
    country_locale: 'en_US',
    created_time: zohoTime(CREATED),
    created_by: null,
    Modified_Time: zohoTime(CREATED),
    Modified_By: null,
    phone: null,
    mobile: null,
  };
}
