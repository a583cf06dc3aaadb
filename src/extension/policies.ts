import type { Extension } from './define.ts';
import { actionRule, MEMBER_OR_ADMIN, READER_OR_ADMIN, routeRule, type RuleDefault } from '../identity/rules.ts';

/**
 * The policy rules extensions bring: those they declare, and a default for each action and route
 * that names none (owner or admin; readers too for a GET), so that policy covers every extension
 * without the core naming one.
 */
export const extensionRuleDefaults = (extensions: readonly Extension[]): RuleDefault[] =>
  extensions.flatMap((e) => [
    ...(e.policies ?? []).map((p) => ({ ...p, owner: e.alias })),
    ...(e.actions ?? []).filter((a) => a.policy === undefined).map((a) => ({
      name: actionRule(e.alias, a.name), check: MEMBER_OR_ADMIN, description: `POST /servers/{id}/action ${a.name}`, owner: e.alias,
    })),
    ...(e.routes ?? []).filter((r) => r.policy === undefined).map((r) => ({
      name: routeRule(e.alias, r.method, r.path), check: r.method === 'GET' ? READER_OR_ADMIN : MEMBER_OR_ADMIN, description: `${r.method} ${r.path}`, owner: e.alias,
    })),
  ]);
