/**
 * Sandboxes by connector id (`<id>/sandbox.ts`, generated/sandbox.ts), for the local runtime and the tests
 * only: no Lambda function imports this module, so no bundle carries a sandbox.
 */
import type { PartnerProfile } from '../core/config';
import { SANDBOX_HALVES } from './generated/sandbox';
import type { SandboxHalf } from './halves';
import { KIND_NAMES, KINDS, type ConnectorKind } from './kinds';

/** Sandboxes by connector id (ticketing and collaboration alike), for every connector that has one. */
export const SANDBOXES: Readonly<Record<string, SandboxHalf<ConnectorKind>>> = SANDBOX_HALVES;

/**
 * The sandboxes a profile asks for: of each kind whose settings say `"sandbox": true` (the profile's own
 * for its ticketing connector, `collaboration.sandbox` for its meetings), the connector's sandbox, and the
 * port it takes (that of the URL the connector calls). Throws for a connector without one.
 */
export function sandboxesWanted(profile: PartnerProfile): { kind: ConnectorKind; start: SandboxHalf<ConnectorKind>; port: number }[] {
  return KIND_NAMES.flatMap((kind) => {
    const chosen = KINDS[kind].chosen(profile);
    const settings = chosen?.settings;
    if (typeof settings !== 'object' || settings === null || !('sandbox' in settings) || settings.sandbox !== true) return [];
    const start = SANDBOXES[String(chosen?.connector)];
    if (!start) throw new Error(`partners: no sandbox for ${KINDS[kind].noun} ${String(chosen?.connector)} (partner ${profile.id})`);
    return [{ kind, start, port: Number(new URL(start.listensOn(profile)).port) }];
  });
}
