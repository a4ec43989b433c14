/**
 * The API function's registry: the full collaboration connectors (it schedules joint calls) and the
 * ticketing connectors' settings only (settings-registry.ts), which tell a manual partner from an API one
 * and refuse partner calls (the API function never makes one: opening, comments and polling run in their own functions,
 * ticketing-registry.ts). Its bundle so carries neither the ticketing clients nor the circuit breaker.
 */
import type { HubConfig } from '../core/config';
import type { ConnectorRegistry } from '../core/ports';
import { assembleRegistry, type CollaborationFactory } from './assemble-registry';
import { teamsConnector } from './teams/connector';
import { TICKETING_SETTINGS } from './settings-registry';
import { zoomConnector } from './zoom/connector';

/** Collaboration connectors by id (the profile's `collaboration.connector`). */
export const COLLABORATION_CONNECTORS: Record<string, CollaborationFactory> = {
  teams: teamsConnector,
  zoom: zoomConnector,
};

export function buildCollaborationRegistry(config: HubConfig): ConnectorRegistry {
  return assembleRegistry(config, TICKETING_SETTINGS, COLLABORATION_CONNECTORS);
}
