import { attribute, only, shape, text, type Shape } from '../model/shape.ts';
import { COMPUTE_NS } from './namespaces.ts';
import { getOrMake } from '../memo.ts';

/**
 * OpenStack faults: `{"itemNotFound": {"message": "...", "code": 404}}` and
 * `<itemNotFound code="404" xmlns="http://docs.openstack.org/compute/api/v1.1"><message>`.
 * Thrown anywhere, rendered by the error handler in the negotiated media type.
 */
export const FAULT_CODES = {
  badRequest: 400,
  unauthorized: 401,
  forbidden: 403,
  itemNotFound: 404,
  badMethod: 405,
  notAcceptable: 406,
  conflictingRequest: 409,
  overLimit: 413,
  badMediaType: 415,
  computeFault: 500,
  notImplemented: 501,
  serviceUnavailable: 503,
} as const;

export type FaultKind = keyof typeof FAULT_CODES;

export class Fault extends Error {
  readonly kind: FaultKind;
  readonly code: number;
  readonly details?: string;
  readonly headers: Readonly<Record<string, string>>;
  /** What a kind adds to its body (overLimit: when to retry). */
  readonly fields?: Readonly<Record<string, unknown>>;

  constructor(kind: FaultKind, message: string, opts: { details?: string; headers?: Record<string, string>; code?: number; fields?: Record<string, unknown> } = {}) {
    super(message);
    this.kind = kind;
    this.code = opts.code ?? FAULT_CODES[kind];
    this.details = opts.details;
    this.headers = opts.headers ?? {};
    this.fields = opts.fields;
  }

  toValue(): Record<string, unknown> {
    return { message: this.message, code: this.code, details: this.details, ...this.fields };
  }
}

export const badRequest = (message: string): Fault => new Fault('badRequest', message);
export const itemNotFound = (message: string): Fault => new Fault('itemNotFound', message);
export const conflictingRequest = (message: string): Fault => new Fault('conflictingRequest', message);
export const badMethod = (allow: readonly string[], why = 'The method is not allowed for this resource'): Fault =>
  new Fault('badMethod', `${why}; allowed: ${allow.join(', ')}.`, {
    headers: { Allow: allow.join(', ') },
  });

/**
 * Over a rate limit, when to retry: nova's `retryAfter` (seconds, as Retry-After) in JSON, and
 * the published faults.xsd's `retryAt` timestamp, which has no place for the former.
 */
const RETRY = [only('json', attribute('retryAfter')), attribute('retryAt', 'datetime')];

/** The same shape for every kind; only the root element differs (and overLimit says when to retry). */
const shapes = new Map<FaultKind, Shape>();
export const faultShape = (kind: FaultKind): Shape =>
  getOrMake(shapes, kind, () => shape(kind, COMPUTE_NS, [text('message'), attribute('code', 'integer'), text('details'), ...(kind === 'overLimit' ? RETRY : [])]));
