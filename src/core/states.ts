import { conflictingRequest } from '../media/fault.ts';

/**
 * A resource's state machine. A transition moves a document into a transient state (`via`) that
 * settles into `to` after that state's duration; settling happens when the document is read, so
 * there are no timers and a test's clock decides what time it is. States are qualified names:
 * core `ACTIVE`, an extension's `RAX-CBS:ATTACHING`.
 */
export interface Pending {
  readonly status: string;
  readonly at: number;
}

/** Work in progress on a resource that leaves its state as it is (nova's task_state): `image_snapshot`. */
export interface Task {
  readonly name: string;
  readonly until: number;
}

export interface Stateful {
  readonly status: string;
  readonly pending?: Pending;
  readonly task?: Task;
}

export interface Transition {
  readonly name: string;
  readonly from: readonly string[];
  readonly via: string;
  readonly to: string;
}

export class StateMachine {
  readonly states: ReadonlySet<string>;
  readonly #durations: (state: string) => number;

  constructor(states: Iterable<string>, durations: (state: string) => number) {
    this.states = new Set(states);
    this.#durations = durations;
  }

  /**
   * The document as it is at `now`: a transient state whose time has come has settled. Settles
   * in place: documents are fresh from the store for each request.
   */
  settle<T extends Stateful>(doc: T, now: number): T {
    if (doc.task !== undefined && doc.task.until <= now) delete (doc as { task?: Task }).task;
    const pending = doc.pending;
    if (pending === undefined || pending.at > now) return doc;
    const d = doc as { status: string; pending?: Pending };
    d.status = pending.status;
    delete d.pending;
    return doc;
  }

  /** Starts a transition, or refuses with 409 if the current state does not allow it. */
  begin<T extends Stateful>(doc: T, t: Transition, now: number, what: string): T {
    const settled = this.settle(doc, now);
    if (!t.from.includes(settled.status)) {
      throw conflictingRequest(`Cannot ${t.name} ${what} while it is ${settled.status}; allowed from ${t.from.join(', ')}.`);
    }
    return { ...settled, status: t.via, pending: { status: t.to, at: now + this.#durations(t.via) } };
  }

  /** Enters a state directly (creation), settling into `to` after its duration. */
  enter<T extends object>(doc: T, via: string, to: string, now: number): T & Stateful {
    return { ...doc, status: via, pending: { status: to, at: now + this.#durations(via) } };
  }
}
