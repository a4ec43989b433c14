/** A dynalite in memory for one test file, and the hub's store on it (started before the file's tests, closed after). */
import { documentClient } from '../../functions/adapters/clients';
import { DynamoEscalationStore } from '../../functions/adapters/dynamo-store';
import { LOCAL_TABLE, startDynalite } from '../../local/dynamo';

export function useMemoryStore(): { readonly store: DynamoEscalationStore } {
  let dynamo: Awaited<ReturnType<typeof startDynalite>>;
  let store: DynamoEscalationStore | undefined;
  beforeAll(async () => {
    dynamo = await startDynalite('memory');
    store = new DynamoEscalationStore(documentClient(dynamo.client), LOCAL_TABLE);
  });
  afterAll(() => dynamo.close());
  return { get store() { if (!store) throw new Error('the store starts in beforeAll'); return store; } };
}
