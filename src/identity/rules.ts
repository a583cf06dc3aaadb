/**
 * The core's policy rules, with nova's names and its defaults since the 2023 secure-RBAC switch:
 * a project's members change its resources, its readers read them, an admin anything. A
 * deployment's policy file overrides any of them; extensions declare the rules of their own
 * actions and routes (extension/contract.ts), with these base rules to build on.
 */
export interface RuleDefault {
  readonly name: string;
  readonly check: string;
  /** What the rule guards, for the README and `extgate check`. */
  readonly description: string;
  /** The extension that declares it; undefined for the core's. */
  readonly owner?: string;
}

export const CONTEXT_IS_ADMIN = 'context_is_admin';
export const MEMBER_OR_ADMIN = 'rule:project_member_or_admin';
export const READER_OR_ADMIN = 'rule:project_reader_or_admin';

const SERVERS = 'os_compute_api:servers';

/** Rule names the core's routes check. */
export const CORE_RULES = {
  serversIndex: `${SERVERS}:index`,
  serversIndexAllTenants: `${SERVERS}:index:get_all_tenants`,
  serversDetail: `${SERVERS}:detail`,
  serversDetailAllTenants: `${SERVERS}:detail:get_all_tenants`,
  serversShow: `${SERVERS}:show`,
  serversCreate: `${SERVERS}:create`,
  serversUpdate: `${SERVERS}:update`,
  serversDelete: `${SERVERS}:delete`,
  serversReboot: `${SERVERS}:reboot`,
  serversCreateImage: `${SERVERS}:create_image`,
  imagesDelete: 'os_compute_api:images:delete',
} as const;

export const CORE_RULE_DEFAULTS: readonly RuleDefault[] = [
  { name: CONTEXT_IS_ADMIN, check: 'role:admin', description: 'Who is an admin: sees every project\'s resources by id' },
  { name: 'admin_api', check: 'role:admin', description: 'Admin only' },
  { name: 'project_member_api', check: 'role:member and project_id:%(project_id)s', description: 'A member of the resource\'s project' },
  { name: 'project_reader_api', check: 'role:reader and project_id:%(project_id)s', description: 'A reader (or member) of the resource\'s project' },
  { name: 'project_member_or_admin', check: 'rule:project_member_api or rule:context_is_admin', description: 'A member of the resource\'s project, or an admin' },
  { name: 'project_reader_or_admin', check: 'rule:project_reader_api or rule:context_is_admin', description: 'A reader of the resource\'s project, or an admin' },
  { name: CORE_RULES.serversIndex, check: READER_OR_ADMIN, description: 'GET /servers: list the project\'s servers' },
  { name: CORE_RULES.serversIndexAllTenants, check: 'rule:admin_api', description: 'GET /servers?all_tenants=1: list every project\'s servers' },
  { name: CORE_RULES.serversDetail, check: READER_OR_ADMIN, description: 'GET /servers/detail: list the project\'s servers in detail' },
  { name: CORE_RULES.serversDetailAllTenants, check: 'rule:admin_api', description: 'GET /servers/detail?all_tenants=1: every project\'s servers in detail' },
  { name: CORE_RULES.serversShow, check: READER_OR_ADMIN, description: 'GET /servers/{id}: show a server' },
  { name: CORE_RULES.serversCreate, check: 'rule:project_member_api or rule:context_is_admin', description: 'POST /servers: create a server in the caller\'s project' },
  { name: CORE_RULES.serversUpdate, check: MEMBER_OR_ADMIN, description: 'PUT /servers/{id}: rename a server, change its access addresses' },
  { name: CORE_RULES.serversDelete, check: MEMBER_OR_ADMIN, description: 'DELETE /servers/{id}: delete a server' },
  { name: CORE_RULES.serversReboot, check: MEMBER_OR_ADMIN, description: 'POST /servers/{id}/action reboot' },
  { name: CORE_RULES.serversCreateImage, check: MEMBER_OR_ADMIN, description: 'POST /servers/{id}/action createImage: snapshot a server' },
  { name: CORE_RULES.imagesDelete, check: MEMBER_OR_ADMIN, description: 'DELETE /images/{id}: delete an image of the project (public ones: admin)' },
];

/** The rule an extension action is checked against when it names none: `OS-LOCK:lock`, member or admin. */
export const actionRule = (owner: string, name: string): string => `${owner}:${name}`;

/** The rule an extension route is checked against when it names none: `RAX-BAK:PUT /servers/{server_id}/{alias}/schedule`. */
export const routeRule = (owner: string, method: string, path: string): string => `${owner}:${method} ${path}`;
