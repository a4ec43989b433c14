import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** A write refused by its ConditionExpression (by class, or by name when the error crossed a boundary). */
export const isConditionFailure = (e: unknown) =>
  e instanceof ConditionalCheckFailedException || (e as { name?: string })?.name === 'ConditionalCheckFailedException';
