/**
 * Sandboxes by connector id (`<id>/sandbox.ts`, generated/sandbox.ts), for the local runtime and the tests
 * only: no Lambda function imports this module, so no bundle carries a sandbox.
 */
import type { DeskProfile, PartnerProfile } from '../core/config';
import { SANDBOX_HALVES } from './generated/sandbox';
import type { AnySandboxHalf, SandboxHalf } from './halves';
import { KINDS, PARTNER_KINDS, type ConnectorKind, type PartnerKind, type ProfileOf } from './kinds';
import type { Sandbox, SandboxStart } from './sandbox';

/** Sandboxes by connector id (every kind), for every connector that has one. */
export const SANDBOXES: Readonly<Record<string, AnySandboxHalf>> = SANDBOX_HALVES;

/** A sandbox to start: of which kind, on which port, and how (the profile is already bound). */
export interface WantedSandbox<K extends ConnectorKind = ConnectorKind> { kind: K; port: number; start(opts: SandboxStart): Promise<Sandbox> }

/** The sandbox of kind `kind` a profile asks for (its settings say `"sandbox": true`), if any; throws for a connector without one. */
function wanted<K extends ConnectorKind>(kind: K, profile: ProfileOf<K>): WantedSandbox<K>[] {
  const chosen = KINDS[kind].chosen(profile);
  const settings = chosen?.settings;
  if (typeof settings !== 'object' || settings === null || !('sandbox' in settings) || settings.sandbox !== true) return [];
  const half = SANDBOXES[String(chosen?.connector)] as SandboxHalf<K> | undefined;
  if (!half || half.descriptor.kind !== kind) throw new Error(`${KINDS[kind].list}: no sandbox for ${KINDS[kind].noun} ${String(chosen?.connector)} (${profile.id})`);
  return [{ kind, port: Number(new URL(half.listensOn(profile)).port), start: (opts) => half(profile, opts) }];
}

/**
 * The sandboxes a partner profile asks for: of each kind whose settings say `"sandbox": true` (the profile's
 * own for its ticketing connector, `collaboration.sandbox` for its meetings), the connector's sandbox, and
 * the port it takes (that of the URL the connector calls). Throws for a connector without one.
 */
export const sandboxesWanted = (profile: PartnerProfile): WantedSandbox<PartnerKind>[] => PARTNER_KINDS.flatMap((kind) => wanted(kind, profile));

/** The sandbox a desk (`desks`) asks for with `"sandbox": true`. */
export const deskSandboxWanted = (desk: DeskProfile): WantedSandbox<'desk'>[] => wanted('desk', desk);
