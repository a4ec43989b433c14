import type { Escalation } from '../escalation';
import { VersionConflictError } from '../errors';
import type { EscalationStore } from '../ports';

/**
 * Optimistic read-modify-write of one escalation.
 * Steps: read (strongly consistent); let `change` decide (return `undefined` to leave it as it is);
 * write conditionally on the version read; on a lost race, read again and decide again.
 */
export async function mutateEscalation(
  store: EscalationStore,
  escalationId: string,
  change: (current: Escalation) => Escalation | undefined,
  now: Date,
  maxTries = 8,
): Promise<{ before: Escalation; after: Escalation; changed: boolean } | undefined> {
  for (let i = 0; i < maxTries; i++) {
    const current = await store.getEscalation(escalationId);
    if (!current) return undefined;
    const next = change(current);
    if (!next) return { before: current, after: current, changed: false };
    const written = { ...next, version: current.version + 1, updatedAt: now.toISOString() };
    try {
      await store.saveEscalation(written);
      return { before: current, after: written, changed: true };
    } catch (e) {
      if (!(e instanceof VersionConflictError)) throw e;
    }
  }
  throw new VersionConflictError(`escalation ${escalationId} kept changing; gave up after ${maxTries} tries`);
}
