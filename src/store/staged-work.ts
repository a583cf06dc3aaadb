import type { UnitOfWork } from './store.ts';

/**
 * A unit of work as every backend stages it: changes kept in order, applied by the backend in one
 * transaction at commit. Documents are serialised at commit: what hooks change in a staged
 * document after the handler staged it is part of the same unit of work.
 */
export type Op =
  | { readonly op: 'insert'; readonly kind: string; readonly id: string; readonly doc: unknown; readonly project: string }
  | { readonly op: 'update'; readonly kind: string; readonly id: string; readonly version: number; readonly doc: unknown }
  | { readonly op: 'delete'; readonly kind: string; readonly id: string; readonly version: number };

/** A class, not a literal with a getter and closures: one is made per request (see extension/context.ts). */
export class StagedWork implements UnitOfWork {
  readonly #ops: Op[] = [];
  readonly #apply: (ops: readonly Op[]) => void | Promise<void>;

  constructor(apply: (ops: readonly Op[]) => void | Promise<void>) {
    this.#apply = apply;
  }

  insert(kind: string, id: string, doc: unknown, project: string): void {
    this.#ops.push({ op: 'insert', kind, id, doc, project });
  }

  update(kind: string, id: string, version: number, doc: unknown): void {
    this.#ops.push({ op: 'update', kind, id, version, doc });
  }

  delete(kind: string, id: string, version: number): void {
    this.#ops.push({ op: 'delete', kind, id, version });
  }

  get empty(): boolean {
    return this.#ops.length === 0;
  }

  async commit(): Promise<void> {
    if (this.#ops.length > 0) await this.#apply(this.#ops);
    this.#ops.length = 0;
  }
}
