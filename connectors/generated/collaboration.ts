// Written by `npm run connectors` (scripts/generate-connectors.ts) from connectors/catalog.ts: do not edit.
import type { HttpHalf } from '../halves';
import { teamsConnector } from '../teams/collaboration';
import { zoomConnector } from '../zoom/collaboration';

/** The collaboration halves, by connector id. */
export const COLLABORATION_HALVES: Readonly<Record<string, HttpHalf<'collaboration'>>> = {
  teams: teamsConnector,
  zoom: zoomConnector,
};
