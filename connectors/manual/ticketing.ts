/** `manual` (descriptor.ts): every partner call is an engineer's work in the partner's portal, never the hub's. */
import { defineHttpHalf } from '../halves';
import { manual } from './descriptor';

export { manualInstructions } from './descriptor';

const noApi = (what: string) => async (): Promise<never> => {
  throw new Error(`manual connector: ${what} is done by an engineer in the partner's portal`);
};

export const manualConnector = defineHttpHalf(manual, () => ({
  mode: manual.mode,
  openIncident: noApi('opening an incident'),
  findByExternalRef: async () => undefined,
  getIncident: noApi('reading an incident'),
  addComment: noApi('commenting'),
}));
