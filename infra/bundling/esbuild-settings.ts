/**
 * How every function is bundled: one definition read by the stack (NodejsFunction) and by
 * scripts/measure-bundles.ts, so the numbers measured are the numbers deployed.
 *
 * - CommonJS, minified, tree-shaken, `node22` target, source maps (Lambda gets `--enable-source-maps`).
 * - `@aws-sdk/*` is external: the Lambda Node.js 22 runtime ships AWS SDK v3, and bundling it would add
 *   ~640 KB per function (measured on `api`) for no gain in behaviour; the hub uses only stable, long-lived
 *   SDK operations. Pin a bundled SDK instead (`bundleAwsSdk: true`) if you need an exact SDK version.
 * - `mime-db` (a 134 KB JSON table) is replaced by an empty table: it reaches the bundle only through
 *   axios → form-data → mime-types, which looks up file-upload content types; the hub never uploads files
 *   (multipart parts would fall back to application/octet-stream).
 */
import { join } from 'node:path';

export const BUNDLE_TARGET = 'node22';
export const EXTERNAL_MODULES = ['@aws-sdk/*'];
export const ALIASES: Record<string, string> = { 'mime-db': join(__dirname, 'mime-db-empty.json') };
/** Prefer packages' ES module builds: they tree-shake, the CommonJS builds do not. */
export const MAIN_FIELDS = ['module', 'main'];
