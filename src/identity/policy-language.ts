/**
 * oslo.policy's check strings, compiled once into functions of (credentials, target):
 *
 *     role:admin or (role:member and project_id:%(project_id)s)
 *
 * `@` always, `!` never (and the empty string is `@`); `not`, `and`, `or` and parentheses;
 * `rule:NAME` another rule; `role:NAME` a role of the caller; any other `ATTR:VALUE` compares the
 * caller's ATTR (`project_id`, `user_id`, `is_admin`) with VALUE, or with the target's attribute
 * where VALUE is `%(attr)s`. The same precedence as oslo.policy: `not` binds tightest, then `and`.
 */
export interface Credentials {
  readonly project: string;
  readonly user: string;
  /** Lower case, with the roles they imply (Keystone's tokens list them). */
  readonly roles: ReadonlySet<string>;
  /** What the `context_is_admin` rule says of them. */
  readonly isAdmin: boolean;
}

/** What a rule is checked against: the resource's owners. */
export interface Target {
  readonly project_id: string;
  readonly user_id?: string;
}

export type Check = (creds: Credentials, target: Target, rule: (name: string) => Check) => boolean;

export class PolicySyntaxError extends Error {}

/** Words, with parentheses at their start and end split off (as oslo.policy does: `%(project_id)s` stays whole). */
const tokenize = (text: string): string[] =>
  text.split(/\s+/).flatMap((word) => {
    const open = /^\(*/.exec(word)![0].length;
    const close = /\)*$/.exec(word.slice(open))![0].length;
    const middle = word.slice(open, word.length - close);
    return [...Array<string>(open).fill('('), ...(middle === '' ? [] : [middle]), ...Array<string>(close).fill(')')];
  });

const credential = (creds: Credentials, attr: string): string | undefined => {
  if (attr === 'project_id' || attr === 'tenant') return creds.project;
  if (attr === 'user_id') return creds.user;
  if (attr === 'is_admin') return creds.isAdmin ? 'True' : 'False';
  return undefined;
};

const TARGET = /^%\((\w+)\)s$/;

const atom = (token: string): Check => {
  if (token === '@') return () => true;
  if (token === '!') return () => false;
  const colon = token.indexOf(':');
  if (colon <= 0 || colon === token.length - 1) throw new PolicySyntaxError(`"${token}" is not a check (KIND:VALUE, @ or !)`);
  const kind = token.slice(0, colon);
  const value = token.slice(colon + 1);
  if (kind === 'rule') return (creds, target, rule) => rule(value)(creds, target, rule);
  if (kind === 'role') {
    const role = value.toLowerCase();
    return (creds) => creds.roles.has(role);
  }
  if (credential({ project: '', user: '', roles: new Set(), isAdmin: false }, kind) === undefined) {
    throw new PolicySyntaxError(`"${kind}" is not something a caller has (role, rule, project_id, user_id, is_admin)`);
  }
  const fromTarget = TARGET.exec(value)?.[1];
  if (fromTarget !== undefined) {
    return (creds, target) => {
      const wanted = (target as unknown as Record<string, unknown>)[fromTarget];
      return typeof wanted === 'string' && credential(creds, kind) === wanted;
    };
  }
  // As oslo.policy compares: the caller's value as a string (`True`, `False`), exactly.
  return (creds) => credential(creds, kind) === value;
};

/** Compiles a check string; a syntax error names what is wrong. */
export const compileCheck = (text: string): Check => {
  const tokens = tokenize(text);
  if (tokens.length === 0) return () => true;
  let at = 0;
  const peek = () => tokens[at];
  const orExpr = (): Check => {
    const parts = [andExpr()];
    while (peek() === 'or') {
      at++;
      parts.push(andExpr());
    }
    return parts.length === 1 ? parts[0]! : (c, t, r) => parts.some((p) => p(c, t, r));
  };
  const andExpr = (): Check => {
    const parts = [notExpr()];
    while (peek() === 'and') {
      at++;
      parts.push(notExpr());
    }
    return parts.length === 1 ? parts[0]! : (c, t, r) => parts.every((p) => p(c, t, r));
  };
  const notExpr = (): Check => {
    const token = tokens[at++];
    if (token === undefined) throw new PolicySyntaxError('ends where a check was expected');
    if (token === 'not') {
      const inner = notExpr();
      return (c, t, r) => !inner(c, t, r);
    }
    if (token === '(') {
      const inner = orExpr();
      if (tokens[at++] !== ')') throw new PolicySyntaxError('a "(" is not closed');
      return inner;
    }
    if (token === ')' || token === 'and' || token === 'or') throw new PolicySyntaxError(`"${token}" where a check was expected`);
    return atom(token);
  };
  const check = orExpr();
  if (at < tokens.length) throw new PolicySyntaxError(`"${tokens[at]}" where "and", "or" or the end was expected`);
  return check;
};

/** The `rule:NAME` references of a check string, to find unknown and circular ones at start. */
export const referencedRules = (text: string): string[] => tokenize(text).flatMap((t) => (t.startsWith('rule:') ? [t.slice(5)] : []));
