/**
 * `npm start`: the hub on one machine, on its embedded defaults.
 * Environment: PORT (3000), HUB_SMTP_PORT (2525: partners' mail, when a partner is reached by e-mail),
 * HUB_CONFIG (hub.config.json), HUB_DATA_DIR (.hub/data, or `memory`), HUB_JWT_SECRET (a development key
 * when unset), HUB_SWEEP_INTERVAL_MS (5000).
 */
import './quiet-sdk-notice'; // first: before any AWS SDK module loads
import { ConfigError } from '../core/errors';
import { loadHubConfig, readRawHubConfig } from '../functions/adapters/config-source';
import { hubLogger } from '../functions/adapters/logger';
import { DataDirLockedError } from './data-dir';
import { startLocalHub } from './hub';
import { DEV_JWT_SECRET } from './dev-secret';
import { signJwt } from './jwt';


async function main() {
  const log = hubLogger();
  const config = loadHubConfig();
  const jwtSecret = process.env.HUB_JWT_SECRET || DEV_JWT_SECRET;
  const hub = await startLocalHub({
    config,
    doctorSource: { raw: readRawHubConfig(), env: process.env },
    dataDir: process.env.HUB_DATA_DIR || '.hub/data',
    port: Number(process.env.PORT || 3000),
    smtpPort: Number(process.env.HUB_SMTP_PORT || 2525),
    jwtSecret,
    log,
    sweepIntervalMs: Number(process.env.HUB_SWEEP_INTERVAL_MS || 5000),
  });
  if (!process.env.HUB_JWT_SECRET) {
    const day = 24 * 3600;
    console.log('HUB_JWT_SECRET is not set: using the development key. Tokens valid for 24 h:');
    console.log(`  engineer:        ${signJwt({ sub: 'eng-local', role: 'engineer' }, jwtSecret, day)}`);
    console.log(`  customer (acme): ${signJwt({ sub: 'cust-acme', role: 'customer', customerId: 'acme' }, jwtSecret, day)}`);
  }
  for (const [id, s] of hub.sandboxes) console.log(`sandbox partner ${id} at ${s.baseUrl}`);
  if (hub.smtp) console.log(`hub taking partner mail on ${hub.smtp.url}`);
  console.log(`hub listening on ${hub.url}`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await hub.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err instanceof ConfigError || err instanceof DataDirLockedError ? `hub: ${err.message}` : err);
  process.exit(1);
});
