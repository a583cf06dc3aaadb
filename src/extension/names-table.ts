import type { VersionView } from './registry.ts';

/**
 * Every name one API version serves, as an operator reviews a promotion before serving it:
 * kind, where it applies, the name as clients spell it, whose it is and where that spelling came
 * from (`core`, `defined`, `promoted by <record>`, `old name (<mode>) by <record>`).
 */
export const namesTable = (view: VersionView): string => {
  const rows = view.model.served.map((n) => [n.kind, n.where, n.spelled, n.owner, n.origin]);
  const header = ['kind', 'of', 'name', 'owner', 'origin'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) => `  ${r.map((x, i) => (i === r.length - 1 ? x : x.padEnd(widths[i]!))).join('  ')}`;
  return [`\n${view.version.id} (${view.version.status}): ${rows.length} names`, line(header), ...rows.map(line)].join('\n');
};

/** One line per version: the aliases it lists (old ones with their successor) and what it has in core. */
export const versionSummary = (view: VersionView): string => {
  const listed: string[] = [];
  const core: string[] = [];
  for (const e of view.extensions) {
    const current = view.naming.current(e.alias)!;
    if (current.alias === undefined) core.push(e.alias);
    else listed.push(current.alias);
    for (const old of view.naming.old(e.alias)) {
      if (old.mode !== 'refuse') listed.push(`${old.alias} (old name of ${current.alias ?? 'core names'})`);
    }
  }
  listed.sort();
  return `${view.version.id}: ${listed.join(', ') || 'no extensions'}${core.length > 0 ? `; in core: ${core.join(', ')}` : ''}`;
};
