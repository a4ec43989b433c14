// Written by `npm run connectors` (scripts/generate-connectors.ts) from connectors/catalog.ts: do not edit.
import type { HttpHalf } from '../halves';
import { microsoft365Source } from '../microsoft365/service-health';
import { statuspageSource } from '../statuspage/service-health';

/** The service-health halves, by connector id. */
export const SERVICE_HEALTH_HALVES: Readonly<Record<string, HttpHalf<'serviceHealth'>>> = {
  'microsoft365': microsoft365Source,
  statuspage: statuspageSource,
};
