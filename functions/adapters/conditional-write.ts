import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** A write refused by its ConditionExpression (by class, or by name when the error crossed a boundary). */
export const isConditionFailure = (e: unknown) =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string })?.name === 'ConditionalCheckFailedException';

/**
 * The write's answer, or `undefined` when its ConditionExpression refused it: the one way the store's
 * conditional writes (claims, leases, put-if-absent, updates of what may be gone) read a refusal.
 * Any other error is thrown.
 */
export async function unlessRefused<T>(write: Promise<T>): Promise<T | undefined> {
  try {
    return await write;
  } catch (e) {
    if (isConditionFailure(e)) return undefined;
    throw e;
  }
}
