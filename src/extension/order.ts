import type { Problem } from './problems.ts';
import { getOrMake } from '../memo.ts';

interface Node {
  readonly alias: string;
  readonly requires?: readonly string[];
}

/**
 * Dependencies first, then alphabetical by alias (Kahn's algorithm with a sorted ready set), so
 * hooks run in the same documented order on every machine. What cannot be ordered (a missing
 * requirement, a cycle, or depending on either) is reported and left out.
 */
export const orderByDependencies = <T extends Node>(items: readonly T[]): { ordered: T[]; problems: Problem[] } => {
  const byAlias = new Map(items.map((i) => [i.alias, i]));
  const problems: Problem[] = [];
  const blocked = new Set<string>();

  for (const item of items) {
    for (const r of item.requires ?? []) {
      if (!byAlias.has(r)) {
        problems.push({ extension: item.alias, field: 'requires', rule: 'requires-missing', message: `requires "${r}", which is not loaded` });
        blocked.add(item.alias);
      }
    }
  }

  const pending = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const item of items) {
    const reqs = [...new Set(item.requires ?? [])].filter((r) => byAlias.has(r));
    pending.set(item.alias, reqs.length);
    for (const r of reqs) getOrMake(dependents, r, () => []).push(item.alias);
  }

  const ready = items.filter((i) => pending.get(i.alias) === 0).map((i) => i.alias).sort();
  const ordered: T[] = [];
  const done = new Set<string>();
  while (ready.length > 0) {
    const alias = ready.shift()!;
    done.add(alias);
    ordered.push(byAlias.get(alias)!);
    for (const d of dependents.get(alias) ?? []) {
      const left = pending.get(d)! - 1;
      pending.set(d, left);
      if (left === 0) {
        ready.push(d);
        ready.sort();
      }
    }
  }

  for (const item of items) {
    if (done.has(item.alias)) continue;
    const cycle = findCycle(item.alias, byAlias);
    if (cycle !== undefined) {
      problems.push({ extension: item.alias, field: 'requires', rule: 'requires-cycle', message: `is part of a requires cycle: ${cycle.join(' -> ')}` });
    }
  }
  // Anything that needs a blocked extension is blocked too, transitively.
  let grew = true;
  while (grew) {
    grew = false;
    for (const item of ordered) {
      if (blocked.has(item.alias)) continue;
      const bad = (item.requires ?? []).find((r) => blocked.has(r));
      if (bad !== undefined) {
        blocked.add(item.alias);
        problems.push({ extension: item.alias, field: 'requires', rule: 'requires-missing', message: `requires "${bad}", which is left out` });
        grew = true;
      }
    }
  }
  return { ordered: ordered.filter((i) => !blocked.has(i.alias)), problems };
};

const findCycle = (start: string, byAlias: ReadonlyMap<string, Node>): string[] | undefined => {
  const path: string[] = [];
  const visit = (alias: string): string[] | undefined => {
    const at = path.indexOf(alias);
    if (at !== -1) return at === 0 ? [...path, alias] : undefined;
    path.push(alias);
    for (const r of byAlias.get(alias)?.requires ?? []) {
      if (!byAlias.has(r)) continue;
      const found = visit(r);
      if (found !== undefined) return found;
    }
    path.pop();
    return undefined;
  };
  return visit(start);
};
