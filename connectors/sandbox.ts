/**
 * Sandboxes: small HTTP servers that speak a partner's wire format and keep tickets in memory, so the
 * local runtime and the tests run the whole loop with no accounts. One per connector.
 */
import type { PartnerProfile } from '../core/config';

/** A scripted failure: answers the next matching partner API call (never the `/_sandbox` admin routes). */
export interface SandboxFault {
  status: number;
  headers?: Record<string, string>;
  match?: (call: { method: string; path: string }) => boolean;
  /** Answer only after this long (longer than the hub's `timeoutMs` models a partner that hangs). */
  delayMs?: number;
}

export interface Sandbox {
  baseUrl: string;
  /** Moves a ticket to a status of the partner's own vocabulary, as an agent would (and notifies the hub when it pushes). */
  move(ticketId: string, status: string, comment?: string): Promise<unknown>;
  /** Scripted failures, answered in order. */
  faults: SandboxFault[];
  /** Where webhooks go; may be set once the hub is listening. */
  settings: { webhookUrl?: string | undefined };
  close(): Promise<void>;
}

/** Starts the sandbox for a partner profile, listening on `port` (0: any free port). */
export type SandboxFactory = (profile: PartnerProfile, opts: { port: number; webhookUrl?: string }) => Promise<Sandbox>;
