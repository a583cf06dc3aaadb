/** tempest's results (subunit, as JSON lines) -> counts per group, failures with what went wrong. */

export interface TestRecord {
  id: string;
  status: string;
  timestamps: string[];
  details: Record<string, string>;
}

/** One HTTP exchange as tempest logged it at DEBUG. */
export interface Exchange {
  caller: string;
  status: number;
  method: string;
  url: string;
  requestBody?: string;
  responseHeaders?: string;
  responseBody?: string;
}

export interface Failure {
  id: string;
  group: string;
  /** The exception tempest raised: its type and message (schema errors, HTTP details). */
  exception: string[];
  /** The test's own line that raised, e.g. `self.assertEqual(...)`. */
  at?: string;
  /** The exchange that most likely shows what went wrong (see `culpritOf`). */
  culprit?: Exchange;
  /** The test's last exchanges with the compute and image services, for context. */
  exchanges: Exchange[];
  /** Normalised first exception line: failures with the same one likely share a cause. */
  signature: string;
}

export interface GroupCounts {
  pass: number;
  fail: number;
  skip: number;
}

export interface Summary {
  groups: Record<string, GroupCounts>;
  failures: Failure[];
  skips: { id: string; group: string; reason: string }[];
}

const BODY_MAX = 2000;
const clip = (s: string | undefined, n = BODY_MAX) => (s && s.length > n ? `${s.slice(0, n)}... (${s.length} chars)` : s);

/** `setUpClass (a.b.C)` names its class; `a.b.C.test_x[id-...,smoke]` its test. */
export const testName = (id: string): string => {
  const fixture = /^\w+ \(([^)]+)\)$/.exec(id);
  return fixture ? fixture[1]! : id.replace(/\[.*\]$/, '');
};

/** The longest configured prefix that names the test; else its module. */
export const groupOf = (id: string, groups: string[]): string => {
  const name = testName(id);
  const hit = groups.filter((g) => name === g || name.startsWith(`${g}.`)).sort((a, b) => b.length - a.length)[0];
  if (hit) return hit;
  const parts = name.split('.');
  const cls = parts.findIndex((p) => /^[A-Z]/.test(p));
  return parts.slice(0, cls > 0 ? cls : -1).join('.');
};

/** tempest's caller name for a test's requests: `Class:test_method` or `Class:setUpClass`. */
const callerOf = (id: string): string => {
  const fixture = /^(\w+) \(([^)]+)\)$/.exec(id);
  if (fixture) return `${fixture[2]!.split('.').at(-1)}:${fixture[1]}`;
  const parts = testName(id).split('.');
  return `${parts.at(-2)}:${parts.at(-1)}`;
};

const REQUEST = /Request \(([^)]*)\): (\d+) ([A-Z]+) (\S+)/;
// tempest.log says "INFO tempest.lib...", a test's captured log "INFO     [tempest.lib...]".
const REQUEST_LINE = /\n(?=[^\n]*INFO\s+\[?tempest\.lib\.common\.rest_client\]?[^\n]*Request \()/;
const BODIES = /Request - Headers: [^\n]*\n\s+Body: ([^\n]*)\n\s+Response - Headers: ([^\n]*)\n\s+Body: ([^\n]*)/;

/** A logged body: without oslo's " funcName path:line" debug suffix and Python's b'...' (which
 * tempest cuts, quote included, past 2048 characters). */
const body = (s: string | undefined) => {
  const t = s?.replace(/\s+_log_request_full \S+:\d+$/, '');
  return t?.startsWith("b'") ? t.slice(2).replace(/'$/, '') : t;
};

/** Every exchange in a log text (a test's captured logging, or tempest.log). */
export const parseExchanges = (log: string): Exchange[] => {
  const out: Exchange[] = [];
  // Each INFO "Request (...)" line starts a chunk; its DEBUG record with the bodies follows.
  for (const chunk of log.split(REQUEST_LINE)) {
    const m = REQUEST.exec(chunk);
    if (!m) continue;
    const b = BODIES.exec(chunk);
    out.push({
      caller: m[1]!, status: Number(m[2]), method: m[3]!, url: m[4]!,
      requestBody: clip(body(b?.[1])), responseHeaders: clip(body(b?.[2]), 600), responseBody: clip(body(b?.[3])),
    });
  }
  return out;
};

/** The exception at the end of a Python traceback, and the test line that raised it. */
export const parseTraceback = (tb: string): { exception: string[]; at?: string } => {
  const lines = tb.split('\n');
  let last = -1;
  lines.forEach((l, i) => {
    if (l.startsWith('  File "')) last = i;
  });
  // After the last frame: its code line, maybe a ^^^ marker line, then the exception.
  let i = last + 1;
  while (i < lines.length && (lines[i]!.startsWith('    ') || lines[i]!.trim() === '')) i++;
  const exception = lines.slice(last < 0 ? 0 : i).filter((l) => l.trim() !== '').slice(0, 25).map((l) => clip(l, 600)!);
  let at: string | undefined;
  lines.forEach((l, j) => {
    if (/File "[^"]*tempest\/api\//.test(l)) at = `${l.trim()} :: ${lines[j + 1]?.trim()}`;
  });
  return { exception, at };
};

/** The exception's first line, and its first detail line: for HTTP errors the fault message, for
 * a schema error which key failed ("Additional properties are not allowed ('x' was unexpected)"). */
const signatureOf = (exception: string[]): string =>
  [exception[0] ?? 'no traceback', exception.find((l) => l.startsWith('Details: '))?.slice(0, 160)]
    .filter(Boolean)
    .join(' | ')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>')
    .replace(/[0-9a-f]{32}/g, '<hex>')
    .replace(/tempest-[\w-]+/g, '<name>')
    .replace(/\d+(\.\d+)?/g, 'N')
    .slice(0, 300);

// tempest.lib.exceptions raised for an HTTP status.
const STATUS_OF: Record<string, number> = {
  BadRequest: 400, Unauthorized: 401, Forbidden: 403, NotFound: 404, Conflict: 409, OverLimit: 413,
  InvalidContentType: 415, UnprocessableEntity: 422, ServerFault: 500, NotImplemented: 501,
};

/**
 * Which exchange a failure is about. The test's own requests come before its clean-up (which
 * starts deleting what it made), so: the first answer with the status the exception names; for a
 * schema error, the last answer holding the unexpected key; else the last before any DELETE.
 */
export const culpritOf = (exception: string[], exchanges: Exchange[]): Exchange | undefined => {
  const status = STATUS_OF[/tempest\.lib\.exceptions\.(\w+)/.exec(exception[0] ?? '')?.[1] ?? ''];
  if (status) return exchanges.find((e) => e.status === status) ?? exchanges.at(-1);
  const unexpected = /\('([^']+)'(?:, '[^']+')* (?:was|were) unexpected\)/.exec(exception.join('\n'))?.[1];
  if (unexpected) {
    const hit = exchanges.findLast((e) => e.responseBody?.includes(`"${unexpected}"`));
    if (hit) return hit;
  }
  const cleanup = exchanges.findIndex((e) => e.method === 'DELETE');
  return (cleanup > 0 ? exchanges.slice(0, cleanup) : exchanges).at(-1);
};

/** `tempestLog` (tempest.log) supplies the exchanges of class fixtures, which have no captured log. */
export const summarise = (records: TestRecord[], groups: string[], tempestLog = ''): Summary => {
  const summary: Summary = { groups: {}, failures: [], skips: [] };
  for (const g of groups) summary.groups[g] = { pass: 0, fail: 0, skip: 0 };
  let logExchanges: Exchange[] | undefined;
  for (const r of records) {
    const group = groupOf(r.id, groups);
    summary.groups[group] ??= { pass: 0, fail: 0, skip: 0 };
    const counts = summary.groups[group];
    if (r.status === 'success' || r.status === 'xfail') counts.pass++;
    else if (r.status === 'skip') {
      counts.skip++;
      summary.skips.push({ id: r.id, group, reason: (r.details.reason ?? '').trim() });
    } else if (r.status === 'fail' || r.status === 'uxsuccess') {
      counts.fail++;
      const { exception, at } = parseTraceback(r.details.traceback ?? '');
      const captured = Object.entries(r.details).find(([k]) => k.startsWith('pythonlogging'))?.[1] ?? '';
      let exchanges = parseExchanges(captured);
      if (exchanges.length === 0) {
        // A class fixture's requests are only in tempest.log, under "Class:setUpClass".
        logExchanges ??= parseExchanges(tempestLog);
        const caller = callerOf(r.id);
        exchanges = logExchanges.filter((e) => e.caller === caller);
      }
      // Keystone (/v3) exchanges are tempest's credential set-up, rarely the point.
      exchanges = exchanges.filter((e) => !new URL(e.url).pathname.startsWith('/v3/'));
      summary.failures.push({
        id: r.id, group, exception, at, signature: signatureOf(exception),
        culprit: culpritOf(exception, exchanges), exchanges: exchanges.slice(-8),
      });
    }
  }
  return summary;
};

/** Map.groupBy, which Node 20 lacks. */
export const groupBy = <T, K>(items: T[], key: (t: T) => K): Map<K, T[]> => {
  const m = new Map<K, T[]>();
  for (const t of items) m.set(key(t), [...(m.get(key(t)) ?? []), t]);
  return m;
};

/** A plain-text table: one row per group, and a total. */
export const table = (groups: Record<string, GroupCounts>): string => {
  const rows = Object.entries(groups);
  const total = rows.reduce((t, [, c]) => ({ pass: t.pass + c.pass, fail: t.fail + c.fail, skip: t.skip + c.skip }), { pass: 0, fail: 0, skip: 0 });
  const width = Math.max(5, ...rows.map(([g]) => g.length));
  const line = (g: string, c: GroupCounts | { pass: string; fail: string; skip: string }) =>
    `${g.padEnd(width)}  ${String(c.pass).padStart(5)}  ${String(c.fail).padStart(5)}  ${String(c.skip).padStart(5)}`;
  return [line('group', { pass: 'pass', fail: 'fail', skip: 'skip' }), ...rows.map(([g, c]) => line(g, c)), line('total', total)].join('\n');
};
