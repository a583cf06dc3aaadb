/** One broken rule of one extension, phrased for the extension's author or the operator. */
export interface Problem {
  /** The alias (or, before it is known, the folder) of the extension at fault. */
  readonly extension: string;
  /** The descriptor field: `updated`, `links[1].href`, `requires`. */
  readonly field: string;
  /** The rule's short name: `alias-grammar`, `timestamp`, `pdf-link`, `requires-cycle`. */
  readonly rule: string;
  readonly message: string;
  /** Set when a promotion record is at fault rather than the module (its `source`). */
  readonly record?: string;
}

export const formatProblem = (p: Problem): string => `${p.extension}: ${p.field}: ${p.message} [${p.rule}]`;

export class ExtensionLoadError extends Error {
  readonly problems: readonly Problem[];
  constructor(problems: readonly Problem[]) {
    super(
      `${problems.length} extension problem${problems.length === 1 ? '' : 's'}:\n` +
        problems.map((p) => `  ${formatProblem(p)}`).join('\n'),
    );
    this.problems = problems;
  }
}
