/**
 * The desks' HTTP halves (write-back to the vendor's own desk), for the registries that write to desks.
 * A desk is the vendor's own system, not a partner: no circuit breaker per partner, its failures go back
 * to the write-back queue, which retries with backoff (and a DLQ).
 */
import type { KindBuilders } from './assemble-registry';
import { DESK_HALVES } from './generated/desk';

export const deskCalls: KindBuilders<'desk'>['calls'] = (d, desk) => DESK_HALVES[d.id]!(desk);
