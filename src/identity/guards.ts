import type { Prepared, RequestState } from '../http/flow.ts';
import type { Target } from './policy-language.ts';
import type { Principal } from './principal.ts';

/**
 * The policy checks of routes (http/flow.ts runs them after prepare, before any hook): the rule a
 * route or action names, on the resource it loaded, or on the caller's own project for what it
 * creates or lists.
 */
export const targetOf = (who: Principal, p: Prepared): Target => ({
  project_id: p.project ?? who.project,
  user_id: typeof p.doc?.user_id === 'string' ? p.doc.user_id : who.user,
});

export type Guard = (req: RequestState, prepared: Prepared) => void;

export const ruleGuard = (rule: string): Guard => (req, p) => req.policy.enforce(rule, req.principal, targetOf(req.principal, p));

/** A list: its rule, and the `all_tenants` rule when every project's resources are asked for. */
export const listGuard = (rule: string, everyProjectRule: string | undefined): Guard => (req, p) => {
  const target = targetOf(req.principal, p);
  req.policy.enforce(rule, req.principal, target);
  if (p.everyProject === true && everyProjectRule !== undefined) req.policy.enforce(everyProjectRule, req.principal, target);
};

/** `POST /servers/{id}/action`: the rule of the action the body named. */
export const actionGuard: Guard = (req, p) => req.policy.enforce(p.action!.rule, req.principal, targetOf(req.principal, p));
