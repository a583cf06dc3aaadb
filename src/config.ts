import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { isXsdDateTime } from './extension/rules.ts';
import { PREFIX } from './extension/vendors.ts';
import { promotionSchema } from './extension/promotions.ts';
import { LIMIT_VERBS, TIME_UNITS, type TimeUnit } from './ops/rate-limits.ts';

/**
 * Configuration: defaults, then a JSON file (`--config FILE`, `EXTGATE_CONFIG`, or
 * `./extgate.config.json` when present), then the environment (`HOST`, `PORT`). Validated once;
 * a bad file stops start-up with every problem named.
 */

const SEED_FLAVORS = [
  { id: '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0001', name: 'm1.tiny', ram: 512, disk: 1, vcpus: 1, swap: 0 },
  { id: '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0002', name: 'm1.small', ram: 2048, disk: 20, vcpus: 1, swap: 0 },
  { id: '1b1e4c4a-0a4d-4c52-9c6e-6d1f0c1a0003', name: 'm1.medium', ram: 4096, disk: 40, vcpus: 2, swap: 512 },
];
const SEED_IMAGES = [
  { id: '70a599e0-31e7-49b7-b260-868f441e862b', name: 'cirros-0.6.2', minDisk: 1, minRam: 64, metadata: { os_distro: 'cirros' } },
  { id: '155d900f-4e14-4e4c-a73d-069cbf4541e6', name: 'ubuntu-24.04', minDisk: 10, minRam: 1024, metadata: { os_distro: 'ubuntu' } },
];

/** v1 as it always was; v2, where the extensions spec/promotions.json promotes into core are core. */
const DEFAULT_VERSIONS: { id: string; status: 'CURRENT' | 'SUPPORTED'; updated: string }[] = [
  { id: 'v1', status: 'SUPPORTED', updated: '2011-09-27T00:00:00Z' },
  { id: 'v2', status: 'CURRENT', updated: '2026-12-01T00:00:00Z' },
];

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const versionSchema = z.strictObject({
  id: z.string().regex(/^v\d+(\.\d+)?$/, 'a version id is v<major>[.<minor>]'),
  status: z.enum(['CURRENT', 'SUPPORTED', 'DEPRECATED', 'EXPERIMENTAL']),
  updated: z.string().refine(isXsdDateTime, 'must be an xsd:dateTime timestamp'),
});

const keystoneSchema = z.strictObject({
  /** Keystone's v3 API, as the gateway reaches it: `http://keystone:5000/v3`. */
  url: z.string().regex(/^https?:\/\/[^/?#\s@]+(\/[^?#\s]*)?$/, 'an http(s) URL such as http://keystone:5000/v3, without credentials in it'),
  /** Where clients reach Keystone, for WWW-Authenticate (default: url). */
  publicUrl: z.string().regex(/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/, 'an http(s) URL').optional(),
  /** The gateway's service user, which validates tokens (it needs the service or admin role). */
  username: z.string().min(1),
  /** Better from the environment: EXTGATE_KEYSTONE_PASSWORD. Never logged. */
  password: z.string({ error: 'is required: set auth.keystone.password or EXTGATE_KEYSTONE_PASSWORD' }).min(1, 'is required: set auth.keystone.password or EXTGATE_KEYSTONE_PASSWORD'),
  project: z.string().min(1).default('service'),
  userDomain: z.string().min(1).default('Default'),
  projectDomain: z.string().min(1).default('Default'),
  /** How long one call to Keystone may take before the request waiting on it gets a 503. */
  timeoutMs: z.number().int().min(100).default(10_000),
});

const isRegex = (source: string): boolean => {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
};

/** One rate limit, as nova's legacy limits middleware wrote them: `{"verb": "POST", "value": 120, "unit": "MINUTE"}`. */
const rateLimitSchema = z.strictObject({
  verb: z.enum(LIMIT_VERBS),
  /** How clients see what it covers. */
  uri: z.string().min(1).default('*'),
  /** What it covers: matched against the path after the version and tenant, with its query. */
  regex: z.string().refine(isRegex, 'must be a valid regular expression').default('.*'),
  value: z.number().int().min(1),
  unit: z.enum(Object.keys(TIME_UNITS) as [TimeUnit, ...TimeUnit[]]),
});

/** Who requests act for. noauth (the default) is for development and tests, never production. */
const authSchema = z.discriminatedUnion('strategy', [
  z.strictObject({
    strategy: z.literal('noauth'),
    /** The project when neither the URL's tenant nor X-Auth-Project-Id names one. */
    project: z.string().min(1).max(255).default('openstack'),
    user: z.string().min(1).default('extgate'),
    /** The caller's roles: with admin (the default) every project's resources are visible. */
    roles: z.array(z.string().min(1)).default(['admin', 'member', 'reader']),
    /** A JSON file of policy rules over the defaults (`{"os_compute_api:servers:create": "role:member"}`). */
    policy: z.string().min(1).optional(),
  }),
  z.strictObject({
    strategy: z.literal('keystone'),
    keystone: keystoneSchema,
    /** How long a validated token is trusted before Keystone is asked again (at most until it expires). */
    cacheSeconds: z.number().int().min(0).max(86_400).default(300),
    /** How many tokens the cache holds (the oldest go first). */
    cacheEntries: z.number().int().min(1).default(10_000),
    policy: z.string().min(1).optional(),
  }),
]);

export const configSchema = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  /**
   * The URL clients reach the gateway at (scheme, host, port, path prefix), for every link and
   * Location (nova's osapi_compute_link_prefix). Unset: the request's own scheme and Host.
   */
  publicUrl: z.string().regex(/^https?:\/\/[^/?#\s]+(\/[^?#\s]*)?$/, 'an http(s) URL without query or fragment').optional(),
  /** Take the scheme and host of links from X-Forwarded-Proto and X-Forwarded-Host (only behind a proxy that sets them). */
  trustProxy: z.boolean().default(false),
  port: z.number({ error: 'must be a port number from 0 to 65535' }).int('must be a port number from 0 to 65535').min(0, 'must be a port number from 0 to 65535').max(65535, 'must be a port number from 0 to 65535').default(8774),
  versions: z
    .array(versionSchema)
    .min(1)
    .refine((vs) => new Set(vs.map((v) => v.id)).size === vs.length, 'version ids must be unique')
    .default(DEFAULT_VERSIONS),
  extensions: z
    .strictObject({
      /** Folders of extension modules besides the project's own `extensions/`. */
      paths: z.array(z.string()).default([]),
      /** Load only these aliases (default: all found). */
      enable: z.array(z.string()).optional(),
      disable: z.array(z.string()).default([]),
      /** `fail` stops boot on any bad extension; `skip` leaves bad ones out and reports them. */
      onInvalid: z.enum(['fail', 'skip']).default('fail'),
      /** Whether the project's own `extensions/` folder is loaded. */
      builtin: z.boolean().default(true),
    })
    .default({ paths: [], disable: [], onInvalid: 'fail', builtin: true }),
  /** Promotions this deployment records on top of spec/promotions.json, in the same form. */
  promotions: z.array(promotionSchema).default([]),
  /** Whether the project's record of promotions (spec/promotions.json) applies. */
  builtinPromotions: z.boolean().default(true),
  /** Vendor prefixes this deployment registers on top of spec/vendors.json. */
  vendors: z.record(z.string().regex(PREFIX), z.string().min(1)).default({}),
  /** Milliseconds in-flight requests get to finish on SIGINT/SIGTERM before connections are cut. */
  shutdownGraceMs: z.number().int().min(0).default(10_000),
  /**
   * On SIGTERM, milliseconds the health check answers 503 while new requests are still served,
   * so that a load balancer stops sending before the gateway stops listening (SIGINT: none).
   */
  shutdownDrainMs: z.number().int().min(0).default(5_000),
  /**
   * Where documents live: the SQLite file at `path` (the default), or the PostgreSQL database at
   * `url` (`EXTGATE_DATABASE_URL`), which several instances share.
   */
  store: z
    .strictObject({
      path: z.string().min(1).default('data/extgate.sqlite'),
      url: z.string().regex(/^postgres(ql)?:\/\/[^\s]+$/, 'a PostgreSQL URL: postgres://user:password@host:5432/database').optional(),
      /** PostgreSQL: connections per instance. */
      poolSize: z.number().int().min(1).max(1000).default(10),
      /** PostgreSQL: how long a request waits for a connection and an answer before it gets a 503. */
      timeoutMs: z.number().int().min(100).default(5_000),
    })
    .prefault({}),
  /** How long a transient state lasts before it settles, in milliseconds, by qualified state name. */
  durations: z.record(z.string(), z.number().int().min(0)).default({}),
  maxBodyBytes: z.number().int().min(1).default(1_048_576),
  /** How much is logged (LOG_LEVEL overrides): trace, debug, info, warn, error, fatal or silent. */
  logLevel: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** JSON lines, or pino-pretty's for a person (LOG_FORMAT overrides); unset, pretty in a terminal. */
  logFormat: z.enum(['json', 'pretty']).optional(),
  /** One log line per request (about 5 us to make and write on a small VM; see the README). */
  logRequests: z.boolean().default(true),
  /**
   * Requests each caller (a project; without Keystone, a client address) may make, by verb and
   * resource; none (the default) limits nothing. Over a limit: 429 overLimit with Retry-After.
   */
  rateLimits: z.array(rateLimitSchema).default([]),
  /** Prometheus metrics at GET /metrics. */
  metrics: z.boolean().default(true),
  /**
   * A listener of its own for /healthcheck and /metrics (as Kong keeps its status API apart),
   * which the API port then no longer answers; unset, they are on the API port.
   */
  admin: z.strictObject({
    host: z.string().min(1).default('127.0.0.1'),
    port: z.number({ error: 'must be a port number from 0 to 65535' }).int().min(0).max(65535),
  }).optional(),
  auth: authSchema.prefault({ strategy: 'noauth' }),
  flavors: z.array(z.strictObject({ id: z.uuid(), name: z.string(), ram: z.number().int(), disk: z.number().int(), vcpus: z.number().int(), swap: z.number().int().min(0).default(0) })).default(SEED_FLAVORS),
  images: z.array(z.strictObject({ id: z.uuid(), name: z.string(), minDisk: z.number().int(), minRam: z.number().int(), metadata: z.record(z.string(), z.string()).default({}) })).default(SEED_IMAGES),
});

/** Under `npm start`, transitions last long enough to be watched from outside. */
export const DEFAULT_DURATIONS: Readonly<Record<string, number>> = {
  BUILD: 2000, REBOOT: 1000, HARD_REBOOT: 2000, SAVING: 2000, 'RAX-CBS:ATTACHING': 1000,
};
export const durationOf = (config: Config) => (state: string): number => config.durations[state] ?? DEFAULT_DURATIONS[state] ?? 1000;

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;

export class ConfigError extends Error {}

export const parseConfig = (input: unknown, source = 'config'): Config => {
  const r = configSchema.safeParse(input);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => `  ${source}: ${i.path.join('.') || '(root)'}: ${i.message}`);
  throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
};

/** Shipped configurations a deployment starts from (`--profile nova`): `profiles/<name>.json`. */
export const PROFILES = resolve(PROJECT_ROOT, 'profiles');

/** A JSON config file, its relative paths made relative to it, not to wherever the process started. */
const readConfigFile = (file: string, what: string): Record<string, unknown> => {
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`cannot read ${what} ${file}: ${(err as Error).message}`);
  }
  delete input.$comment;
  const ext = input.extensions as { paths?: unknown } | undefined;
  if (Array.isArray(ext?.paths)) ext.paths = ext.paths.map((p) => (typeof p === 'string' ? resolve(dirname(file), p) : p));
  const store = input.store as { path?: unknown } | undefined;
  if (typeof store?.path === 'string') store.path = resolve(dirname(file), store.path);
  const auth = input.auth as { policy?: unknown } | undefined;
  if (typeof auth?.policy === 'string') auth.policy = resolve(dirname(file), auth.policy);
  return input;
};

export const profileInput = (name: string): Record<string, unknown> => {
  const known = existsSync(PROFILES) ? readdirSync(PROFILES).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5)) : [];
  if (!known.includes(name)) throw new ConfigError(`invalid configuration:\n  profile "${name}" does not exist (known: ${known.join(', ')})`);
  return readConfigFile(resolve(PROFILES, `${name}.json`), 'profile');
};

/** The config file on top of the profile: its `extensions` settings one by one, everything else whole. */
const overlay = (base: Record<string, unknown>, top: Record<string, unknown>): Record<string, unknown> => {
  const merged = { ...base, ...top };
  if (typeof base.extensions === 'object' && typeof top.extensions === 'object') merged.extensions = { ...base.extensions, ...top.extensions };
  return merged;
};

export const loadConfig = (opts: { file?: string; profile?: string; env?: NodeJS.ProcessEnv } = {}): Config => {
  const env = opts.env ?? process.env;
  const file = opts.file ?? env.EXTGATE_CONFIG ?? (existsSync('extgate.config.json') ? 'extgate.config.json' : undefined);
  const profile = opts.profile ?? (env.EXTGATE_PROFILE || undefined);
  let input: Record<string, unknown> = profile === undefined || profile === 'default' ? {} : profileInput(profile);
  if (file !== undefined) input = overlay(input, readConfigFile(file, 'config file'));
  if (env.EXTGATE_KEYSTONE_PASSWORD) {
    const auth = (input.auth ?? {}) as Record<string, unknown>;
    if (auth.strategy === 'keystone' && typeof auth.keystone === 'object' && auth.keystone !== null) {
      input.auth = { ...auth, keystone: { ...auth.keystone, password: env.EXTGATE_KEYSTONE_PASSWORD } };
    }
  }
  if (env.LOG_LEVEL) input.logLevel = env.LOG_LEVEL;
  if (env.LOG_FORMAT) input.logFormat = env.LOG_FORMAT;
  if (env.EXTGATE_DATABASE_URL) input.store = { ...(input.store as object | undefined), url: env.EXTGATE_DATABASE_URL };
  if (env.HOST) input.host = env.HOST;
  if (env.PORT) {
    if (!/^\d{1,5}$/.test(env.PORT) || Number(env.PORT) > 65535) throw new ConfigError(`invalid configuration:\n  environment: PORT=${env.PORT}: must be a port number from 0 to 65535`);
    input.port = Number(env.PORT);
  }
  return parseConfig(input, file ?? (profile === undefined ? 'defaults' : `profile ${profile}`));
};

/** The project's own extensions. */
export const BUILTIN_EXTENSIONS = resolve(PROJECT_ROOT, 'extensions');

/** Where extension modules are looked for under this configuration. */
export const extensionRoots = (config: Config): string[] => [
  ...(config.extensions.builtin ? [BUILTIN_EXTENSIONS] : []),
  ...config.extensions.paths,
];

/** The rules of a policy file (a JSON object of rule name to check string), or a ConfigError naming what is wrong. */
export const policyFileRules = (file: string | undefined): Record<string, string> | undefined => {
  if (file === undefined) return undefined;
  let rules: unknown;
  try {
    rules = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`cannot read the policy file ${file}: ${(err as Error).message}`);
  }
  if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) throw new ConfigError(`the policy file ${file} must be a JSON object of rule names to check strings`);
  const bad = Object.entries(rules).filter(([, v]) => typeof v !== 'string');
  if (bad.length > 0) throw new ConfigError(`the policy file ${file}: ${bad.map(([k]) => `rule "${k}" must be a check string`).join('; ')}`);
  return rules as Record<string, string>;
};
