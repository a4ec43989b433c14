import type { Needs } from '../deps';
import type { Escalation } from '../escalation';
import { NotFoundError, VersionConflictError } from '../errors';
import { correlationKeys } from '../log';
import type { EscalationRecords } from '../ports';

/**
 * The escalation an engineer's request names, or 404; the handling's log lines carry its ids from here on.
 */
export async function escalationOr404(deps: Needs<'log', EscalationRecords>, escalationId: string): Promise<Escalation> {
  const current = await deps.store.getEscalation(escalationId);
  if (!current) throw new NotFoundError(`No escalation ${escalationId}.`);
  deps.log.appendKeys(correlationKeys(current));
  return current;
}

export interface MutateOptions {
  /** The escalation as this caller last wrote or read it: tried first, saving a read when nobody changed it since. */
  known?: Escalation;
  /** See EscalationRecords.saveEscalation: only for changes that move the due time later. */
  keepDue?: boolean;
  maxTries?: number;
  /**
   * Runs before each write, with what is about to be written: for announcements that must not be lost
   * once the write is made (a crash after the announcement repeats it instead: at least once).
   */
  beforeSave?: (before: Escalation, next: Escalation) => Promise<void>;
}

/**
 * Optimistic read-modify-write of one escalation.
 * Steps: read (strongly consistent), or start from `known`; let `change` decide (return `undefined` to
 * leave it as it is); `beforeSave`; write conditionally on the version read; on a lost race, read again and
 * decide again.
 */
export async function mutateEscalation(
  store: EscalationRecords,
  escalationId: string,
  change: (current: Escalation) => Escalation | undefined,
  now: Date,
  opts: MutateOptions = {},
): Promise<{ before: Escalation; after: Escalation; changed: boolean } | undefined> {
  const maxTries = opts.maxTries ?? 8;
  for (let i = 0; i < maxTries; i++) {
    const current = i === 0 && opts.known ? opts.known : await store.getEscalation(escalationId);
    if (!current) return undefined;
    const next = change(current);
    if (!next) {
      // a stale `known` may hide a change that still needs making: decide again on a fresh read
      if (i === 0 && opts.known) continue;
      return { before: current, after: current, changed: false };
    }
    const written = { ...next, version: current.version + 1, updatedAt: now.toISOString() };
    await opts.beforeSave?.(current, written);
    try {
      await store.saveEscalation(written, opts.keepDue ? { keepDue: true } : undefined);
      return { before: current, after: written, changed: true };
    } catch (e) {
      if (!(e instanceof VersionConflictError)) throw e;
    }
  }
  throw new VersionConflictError(`escalation ${escalationId} kept changing; gave up after ${maxTries} tries`);
}
