/**
 * Sandboxes by connector id (`<id>/sandbox.ts`, generated/sandbox.ts), for the local runtime and the tests
 * only: no Lambda function imports this module, so no bundle carries a sandbox.
 */
import { SANDBOX_HALVES } from './generated/sandbox';
import type { SandboxFactory } from './sandbox';

/** Sandboxes by connector id (ticketing and collaboration alike), for every connector that has one. */
export const SANDBOXES: Readonly<Record<string, SandboxFactory>> = SANDBOX_HALVES;
