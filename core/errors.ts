/** Domain errors. Each maps to one contract error code in `functions/http.ts`. */

export interface ErrorDetail { path: string; message: string }

export abstract class HubError extends Error {
  abstract readonly code: string;
  abstract readonly status: number;
  readonly details?: ErrorDetail[];
  constructor(message: string, details?: ErrorDetail[]) {
    super(message);
    if (details) this.details = details;
  }
}

export class InvalidJsonError extends HubError { override name = 'InvalidJsonError'; code = 'invalid_json'; status = 400; }
/** A paging cursor this hub did not hand out (or one mangled on the way). */
export class InvalidCursorError extends HubError { override name = 'InvalidCursorError'; code = 'invalid_cursor'; status = 400; }
export class ValidationError extends HubError { override name = 'ValidationError'; code = 'validation_failed'; status = 422; }
export class UnauthorizedError extends HubError { override name = 'UnauthorizedError'; code = 'unauthorized'; status = 401; }
export class ForbiddenError extends HubError { override name = 'ForbiddenError'; code = 'forbidden'; status = 403; }
export class NotFoundError extends HubError { override name = 'NotFoundError'; code = 'not_found'; status = 404; }
export class ConflictError extends HubError { override name = 'ConflictError'; code = 'conflict'; status = 409; }
export class PayloadTooLargeError extends HubError { override name = 'PayloadTooLargeError'; code = 'payload_too_large'; status = 413; }
export class NoRouteError extends HubError { override name = 'NoRouteError'; code = 'no_route'; status = 422; }
/** A partner system failed while the caller waited (e.g. scheduling a joint call); safe to retry. */
export class PartnerUnavailableError extends HubError { override name = 'PartnerUnavailableError'; code = 'partner_unavailable'; status = 502; }
export class InvalidSignatureError extends HubError { override name = 'InvalidSignatureError'; code = 'invalid_signature'; status = 401; }

/** A configuration file or environment that cannot run; the message names the field. */
export class ConfigError extends Error { override name = 'ConfigError'; }

/**
 * A partner ticket id is already linked to another escalation (a partner that reused its ids, a number typed
 * twice): links are written once and never moved (EscalationRecords.putTicketLink). `linkedTo` names the holder.
 */
export class TicketLinkConflictError extends Error {
  override name = 'TicketLinkConflictError';
  constructor(readonly partnerId: string, readonly ticketId: string, readonly linkedTo: string) {
    super(`partner ${partnerId} ticket ${ticketId} is already linked to escalation ${linkedTo}`);
  }
}

/** A conditional write lost a race: the caller re-reads and decides again. */
export class VersionConflictError extends Error { override name = 'VersionConflictError'; }

/**
 * A partner call failed. `transient` failures (network, timeout, 408, 429, 5xx) are retried;
 * others (any other 4xx) are final. `retryAfterMs` carries a `Retry-After` answer.
 */
export class PartnerCallError extends Error {
  override name = 'PartnerCallError';
  constructor(
    message: string,
    readonly transient: boolean,
    readonly httpStatus?: number,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}
