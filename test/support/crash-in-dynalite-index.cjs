/**
 * Crash injection for the local runtime (loaded with `node --require` by test/reliability/crash-safety.test.ts).
 * dynalite writes an item in three separate LevelDB writes: delete the old index entries, put the new ones,
 * put the item. This reproduces a SIGKILL between the first and the second: on the first write that moves an
 * escalation in the open-work index (GSI2), the old GSI2 entry is deleted, then the process kills itself.
 * Active only when HUB_TEST_CRASH_ON_GSI2_REKEY=1.
 */
'use strict';
/* global process, require */
if (process.env.HUB_TEST_CRASH_ON_GSI2_REKEY === '1') {
  const db = require('dynalite/db'); // eslint-disable-line @typescript-eslint/no-require-imports
  const original = db.updateIndexes;
  db.updateIndexes = function updateIndexes(store, table, existingItem, item, cb) {
    const pick = (i) => (i ? { PK: i.PK, SK: i.SK, GSI2PK: i.GSI2PK, GSI2SK: i.GSI2SK } : null);
    const rekey = existingItem && item && existingItem.SK && existingItem.SK.S === 'META' && existingItem.PK.S.startsWith('ESC#')
      && existingItem.GSI2SK && item.GSI2SK && existingItem.GSI2SK.S !== item.GSI2SK.S;
    if (!rekey) return original.call(this, store, table, existingItem, item, cb);
    // only the delete of the old open-work entry happens; then the process dies
    return original.call(this, store, table, pick(existingItem), null, () => process.kill(process.pid, 'SIGKILL'));
  };
}
