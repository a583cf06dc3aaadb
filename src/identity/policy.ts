import { Fault } from '../media/fault.ts';
import { compileCheck, PolicySyntaxError, referencedRules, type Check, type Credentials, type Target } from './policy-language.ts';
import { CONTEXT_IS_ADMIN, type RuleDefault } from './rules.ts';

/** A rule that is wrong: its name, where it came from, and why. */
export interface PolicyProblem {
  readonly rule: string;
  /** `core`, an extension's alias, or the policy file's path. */
  readonly source: string;
  readonly message: string;
}

const NEVER: Check = () => false;

/**
 * The rules in force: the defaults (core's and extensions'), with the deployment's overrides, each
 * compiled once. A check on a request evaluates a few closures; nothing is parsed per request.
 */
export class Policy {
  readonly #rules = new Map<string, Check>();
  readonly #resolve = (name: string): Check => this.#rules.get(name) ?? NEVER;
  /** Every rule's check string and where it came from, for the operator. */
  readonly table: ReadonlyMap<string, { check: string; source: string; description?: string }>;

  private constructor(table: Map<string, { check: string; source: string; description?: string }>) {
    this.table = table;
    for (const [name, { check }] of table) this.#rules.set(name, compileCheck(check));
  }

  /**
   * Builds the policy, or reports every problem: a check that does not parse, a `rule:` that names
   * no rule, rules that refer to each other in a circle, a default declared twice.
   */
  static build(defaults: readonly RuleDefault[], overrides: Readonly<Record<string, string>> = {}, overrideSource = 'policy file'): { policy?: Policy; problems: PolicyProblem[] } {
    const problems: PolicyProblem[] = [];
    const table = new Map<string, { check: string; source: string; description?: string }>();
    for (const d of defaults) {
      const source = d.owner ?? 'core';
      const earlier = table.get(d.name);
      if (earlier !== undefined) problems.push({ rule: d.name, source, message: `is declared by ${earlier.source} already` });
      else table.set(d.name, { check: d.check, source, description: d.description });
    }
    for (const [name, check] of Object.entries(overrides)) table.set(name, { check, source: overrideSource, description: table.get(name)?.description });
    for (const [name, { check, source }] of table) {
      try {
        compileCheck(check);
      } catch (err) {
        if (!(err instanceof PolicySyntaxError)) throw err;
        problems.push({ rule: name, source, message: `"${check}": ${err.message}` });
        continue;
      }
      for (const ref of referencedRules(check)) if (!table.has(ref)) problems.push({ rule: name, source, message: `"${check}" refers to rule:${ref}, which is not defined` });
    }
    problems.push(...circles(table));
    return problems.length > 0 ? { problems } : { policy: new Policy(table), problems };
  }

  has(rule: string): boolean {
    return this.#rules.has(rule);
  }

  allows(rule: string, who: Credentials, target: Target): boolean {
    return (this.#rules.get(rule) ?? NEVER)(who, target, this.#resolve);
  }

  /** A denied request is a 403 naming the rule, as nova words it; nothing has changed yet. */
  enforce(rule: string, who: Credentials, target: Target): void {
    if (!this.allows(rule, who, target)) throw forbidden(rule);
  }

  /** Whether roles make an admin (`context_is_admin`), computed once per principal. */
  isAdmin(who: Omit<Credentials, 'isAdmin'>): boolean {
    return this.allows(CONTEXT_IS_ADMIN, { ...who, isAdmin: false }, { project_id: who.project, user_id: who.user });
  }
}

export const forbidden = (rule: string): Fault => new Fault('forbidden', `Policy doesn't allow ${rule} to be performed.`);

const circles = (table: ReadonlyMap<string, { check: string; source: string }>): PolicyProblem[] => {
  const problems: PolicyProblem[] = [];
  const done = new Set<string>();
  const visit = (name: string, path: string[]): void => {
    if (done.has(name)) return;
    const at = path.indexOf(name);
    if (at !== -1) {
      problems.push({ rule: name, source: table.get(name)!.source, message: `refers to itself through ${[...path.slice(at), name].join(' -> ')}` });
      return;
    }
    const entry = table.get(name);
    if (entry === undefined) return;
    let refs: string[] = [];
    try {
      refs = referencedRules(entry.check);
    } catch {
      // reported as a syntax problem
    }
    for (const r of refs) visit(r, [...path, name]);
    done.add(name);
  };
  for (const name of table.keys()) visit(name, []);
  return problems;
};
