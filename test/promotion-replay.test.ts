import { XMLParser } from 'fast-xml-parser';
import { describe, expect, test } from 'vitest';
import type { ConfigInput } from '../src/config.ts';
import { call, testGateway, type TestGateway } from './support/gateway.ts';
import { CORE_NS, FLAVOR, IMAGE } from './support/compute.ts';

/**
 * "Without breaking a single client": a session that uses every spec example by its vendor names
 * (RAX-DCF, RAX-PIE, RAX-DESC, RAX-BAK, RAX-CBS, RAX-PATCH, RAX-ATOM, RAX-EDIT, MLTI-TAGS), in
 * JSON and XML, is recorded against a registry with no promotion, then replayed against one that
 * promotes every one of them in the same version with its old names kept (both). Each answer
 * must be the recorded one once the new names are set aside: same status, same old names and
 * values, same headers; and each request that used an old name is told so (Deprecation).
 */
const PROMOTED = ['RAX-DCF', 'RAX-PIE', 'RAX-DESC', 'RAX-BAK', 'RAX-CBS', 'RAX-PATCH', 'RAX-ATOM', 'RAX-EDIT', 'MLTI-TAGS'];
const successor = (alias: string) => `OS-${alias.slice(alias.indexOf('-') + 1)}`;
const NEW = PROMOTED.map(successor);
const ONE_VERSION = [{ id: 'v1', status: 'CURRENT' as const, updated: '2011-09-27T00:00:00Z' }];
const BEFORE: ConfigInput = { builtinPromotions: false, versions: ONE_VERSION };
const AFTER: ConfigInput = {
  builtinPromotions: false,
  versions: ONE_VERSION,
  promotions: PROMOTED.map((from) => ({
    from, to: successor(from), since: 'v1', date: '2012-01-18T00:00:00Z', oldNames: 'both' as const,
    namespace: `http://docs.openstack.org/compute/ext/${successor(from).toLowerCase()}/api/v1.1`,
  })),
};

const NS = {
  DCF: 'http://docs.rackspacecloud.com/servers/api/ext/diskConfig/v1.0',
  DESC: 'http://docs.rackspacecloud.com/servers/api/ext/desc/v1.0',
  BAK: 'http://docs.rackspace.com/servers/api/ext/backup/v1.0',
  CBS: 'http://docs.rackspacecloud.com/servers/api/ext/cbs/v1.0',
  TAGS: 'http://docs.openstack.org/compute/ext/multi-vendor/tags/v1.0',
};
const JSON_TYPE = 'application/json';
const XML_TYPE = 'application/xml';

interface Step {
  readonly method?: string;
  /** `{server}`, `{image}` stand for what earlier steps created. */
  readonly path: string;
  readonly accept?: string;
  readonly type?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
  /** Whether the request names something by a promoted extension's old name. */
  readonly old: boolean;
  /** Remember an id from the answer: the created server, or the image a Location names. */
  readonly keep?: 'server' | 'image';
  /** Move the state machine's clock before the request. */
  readonly after?: number;
}

const SCHEDULE = { enabled: true, weekly: 'THURSDAY', daily: 'H_0400_0600' };
const SESSION: readonly Step[] = [
  // 3.1: discovery
  { path: '/v1/extensions', old: false },
  { path: '/v1/extensions', accept: XML_TYPE, old: false },
  { path: '/v1/extensions/RAX-DCF', old: false },
  { path: '/v1/extensions/RAX-BAK', accept: XML_TYPE, old: false },
  // 3.2.1: attributes and elements, in requests and answers
  { method: 'POST', path: '/v1/servers', body: { server: { name: 's', imageRef: IMAGE, flavorRef: FLAVOR, 'RAX-DCF:diskConfig': 'MANUAL', 'MLTI-TAGS:tags': ['web'] } }, old: true, keep: 'server' },
  { method: 'POST', path: '/v1/servers', type: XML_TYPE, accept: XML_TYPE, old: true,
    body: `<server xmlns="${CORE_NS}" xmlns:RAX-DCF="${NS.DCF}" xmlns:MLTI-TAGS="${NS.TAGS}" name="x" imageRef="${IMAGE}" flavorRef="${FLAVOR}" RAX-DCF:diskConfig="AUTO"><MLTI-TAGS:tags><MLTI-TAGS:tag>db</MLTI-TAGS:tag></MLTI-TAGS:tags></server>` },
  { path: '/v1/servers/{server}', after: 2000, old: false },
  { path: '/v1/servers/{server}', accept: XML_TYPE, old: false },
  { path: '/v1/servers/detail', accept: XML_TYPE, old: false },
  { path: `/v1/images/${IMAGE}`, old: false },
  { path: `/v1/images/${IMAGE}`, accept: XML_TYPE, old: false },
  // 3.2.3: parameters
  { path: `/v1/servers?RAX-PIE:img=${IMAGE}`, old: true },
  { path: '/v1/servers/detail?MLTI-TAGS:tag=web', old: true },
  // 3.2.1 (example 3.8): an element set through createImage
  { method: 'POST', path: '/v1/servers/{server}/action', body: { createImage: { name: 'snap', 'RAX-DESC:description': 'A sample.' } }, old: true, keep: 'image' },
  // A second snapshot waits for the first to be saved (nova's task_state).
  { method: 'POST', path: '/v1/servers/{server}/action', type: XML_TYPE, accept: XML_TYPE, old: true, after: 2000,
    body: `<createImage xmlns="${CORE_NS}" xmlns:RAX-DESC="${NS.DESC}" name="snap2"><RAX-DESC:description>Another.</RAX-DESC:description></createImage>` },
  { path: '/v1/images/{image}', after: 2000, old: false },
  { path: '/v1/images/{image}', accept: XML_TYPE, old: false },
  // 3.2.2 and 4.1: a resource
  { method: 'PUT', path: '/v1/servers/{server}/RAX-BAK/backup-schedule', body: { 'RAX-BAK:backupSchedule': SCHEDULE }, old: true },
  { path: '/v1/servers/{server}/RAX-BAK/backup-schedule', old: true },
  { path: '/v1/servers/{server}/RAX-BAK/backup-schedule', accept: XML_TYPE, old: true },
  { method: 'PUT', path: '/v1/servers/{server}/RAX-BAK/backup-schedule', type: XML_TYPE, accept: XML_TYPE, old: true,
    body: `<backupSchedule xmlns="${NS.BAK}" enabled="false" weekly="DISABLED" daily="DISABLED"/>` },
  { method: 'DELETE', path: '/v1/servers/{server}/RAX-BAK/backup-schedule', old: true },
  // 3.2.4, 3.2.7, 3.2.8: headers, actions, states
  { method: 'POST', path: '/v1/servers/{server}/action', body: { 'RAX-CBS:mount_volume': { CBSID: '123' } }, headers: { 'RAX-CBS-Volume-Type': 'SSD' }, old: true },
  { path: '/v1/servers/{server}', old: false },
  { method: 'POST', path: '/v1/servers/{server}/action', type: XML_TYPE, accept: XML_TYPE, after: 1000, body: `<mount_volume xmlns="${NS.CBS}" CBSID="456"/>`, old: true },
  { path: '/v1/servers/{server}', accept: XML_TYPE, old: false },
  // 3.2.5: a verb, found through its link
  { method: 'PATCH', path: '/v1/images/RAX-PATCH/{image}', type: 'application/merge-patch+json', body: { name: 'renamed', metadata: { k: 'v' } }, old: true },
  { method: 'PATCH', path: '/v1/images/RAX-PATCH/{image}', type: XML_TYPE, accept: XML_TYPE, body: `<image xmlns="${CORE_NS}" name="again"/>`, old: true },
  // 3.2.6: a media type, chosen by its extension
  { path: '/v1/servers/detail', accept: 'application/atom+xml;ext=RAX-ATOM', old: true },
  { path: `/v1/images/${IMAGE}`, accept: 'application/atom+xml', old: false },
  // 3.2.9: an otherwise read-only attribute made editable
  { method: 'PUT', path: '/v1/servers/{server}', after: 1000, body: { server: { 'RAX-EDIT:metadata': { role: 'web' } } }, old: true },
  { path: '/v1/servers/{server}', old: false },
];

interface Recorded {
  readonly status: number;
  readonly headers: Record<string, string | null>;
  readonly body: unknown;
  readonly deprecation: string | null;
}

const KEPT_HEADERS = ['content-type', 'location', 'rax-cbs-volumes-attached', 'allow'];

const replay = async (gw: TestGateway): Promise<Recorded[]> => {
  const kept: Record<string, string> = {};
  const out: Recorded[] = [];
  for (const step of SESSION) {
    if (step.after !== undefined) gw.clock.advance(step.after);
    const path = step.path.replace(/\{(server|image)\}/g, (_, k: string) => kept[k]!);
    const headers: Record<string, string> = { ...step.headers };
    if (step.accept !== undefined) headers.Accept = step.accept;
    if (step.body !== undefined) headers['Content-Type'] = step.type ?? JSON_TYPE;
    const body = step.body === undefined ? undefined : typeof step.body === 'string' ? step.body : JSON.stringify(step.body);
    const r = await call(gw.app, path, { method: step.method ?? 'GET', headers, body });
    if (step.keep === 'server') kept.server = r.json().server.id;
    if (step.keep === 'image') kept.image = r.headers.get('location')!.split('/').pop()!;
    const type = r.headers.get('content-type') ?? '';
    out.push({
      status: r.status,
      headers: Object.fromEntries(KEPT_HEADERS.map((h) => [h, r.headers.get(h)])),
      body: r.text === '' ? '' : type.includes('json') ? r.json() : xmlParser.parse(r.text),
      deprecation: r.headers.get('deprecation'),
    });
  }
  return out;
};

// Every element a list, so that one left out of two does not change the shape of the other.
const xmlParser = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (_name, _path, _leaf, isAttribute) => !isAttribute });

/** Leaves out what only the promoted registry says: the new names, and the links between old and new. */
const withoutNewNames = (x: unknown): unknown => {
  if (Array.isArray(x)) return x.filter((i) => !isNew(i)).map(withoutNewNames);
  if (typeof x !== 'object' || x === null) return x;
  const o: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) {
    const name = k.replace(/^@(xmlns:)?/, '');
    if (NEW.some((a) => name.startsWith(`${a}:`) || name === a)) continue;
    if (isNew(v)) continue;
    o[k] = withoutNewNames(v);
  }
  return o;
};
/** A discovery item of a new alias, or a link to or between the new names. */
const isNew = (i: unknown): boolean => {
  if (typeof i !== 'object' || i === null) return false;
  const o = i as Record<string, unknown>;
  const rel = o.rel ?? o['@rel'];
  const alias = o.alias ?? o['@alias'];
  return NEW.includes(rel as string) || rel === 'successor-version' || rel === 'predecessor-version' || NEW.includes(alias as string);
};

/** Ids, host ids, addresses and passwords are made fresh by each run: compared by position. */
const normalised = (records: readonly Recorded[]): string => {
  const ids = new Map<string, string>();
  return JSON.stringify(records, null, 1)
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, (id) => {
      if (!ids.has(id)) ids.set(id, `<id ${ids.size}>`);
      return ids.get(id)!;
    })
    .replace(/\b[0-9a-f]{56}\b/g, '<hostId>')
    .replace(/10\.0\.\d+\.\d+/g, '<address>')
    .replace(/"(@?adminPass)": "[^"]*"/g, '"$1": "<password>"');
};

describe('a session of every spec example by its old names, recorded without promotions and replayed with all of them', () => {
  test('every answer is the recorded one, once the new names are set aside; every old name is told', async () => {
    const recorded = await replay(await testGateway(BEFORE));
    const promoted = await replay(await testGateway(AFTER));
    expect(recorded.every((r) => r.deprecation === null)).toBe(true);
    expect(recorded.filter((r) => r.status >= 400)).toEqual([]);
    const told = promoted.map((r, i) => [SESSION[i]!.method ?? 'GET', SESSION[i]!.path, SESSION[i]!.accept ?? '', r.deprecation !== null]);
    expect(told).toEqual(SESSION.map((s) => [s.method ?? 'GET', s.path, s.accept ?? '', s.old]));
    const strip = (rs: readonly Recorded[]) => rs.map((r) => ({ ...r, body: withoutNewNames(r.body), deprecation: null }));
    expect(normalised(strip(promoted))).toEqual(normalised(strip(recorded)));
    // And the promoted answers do carry the new names beside the old ones.
    expect(JSON.stringify(promoted[6]!.body)).toContain('"OS-DCF:diskConfig":"MANUAL"');
  });
});
