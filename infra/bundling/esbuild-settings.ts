/**
 * How every function is bundled: one definition read by the stack (NodejsFunction) and by
 * scripts/measure-bundles.ts, so the numbers measured are the numbers deployed.
 *
 * - CommonJS, minified, tree-shaken, `node22` target, source maps (Lambda gets `--enable-source-maps`).
 * - `@aws-sdk/*` is external: the Lambda Node.js 22 runtime ships AWS SDK v3, and bundling it would add
 *   ~640 KB per function (measured on `api`) for no gain in behaviour; the hub uses only stable, long-lived
 *   SDK operations. Pin a bundled SDK instead (`bundleAwsSdk: true`) if you need an exact SDK version.
 *   Each function loads only the SDK clients it calls (functions/adapters/hub-deps.ts).
 * - `form-data` is replaced by a module that exports nothing, so axios builds multipart bodies with Node's
 *   built-in FormData (which its http adapter supports natively) instead of the package and its ~20
 *   polyfill dependencies (get-intrinsic, es-*, mime-types with its 134 KB mime-db table): 27 KB less in
 *   every function that calls partners. The hub sends no multipart bodies; they would still work.
 * - `follow-redirects` and `https-proxy-agent` are replaced by modules that throw if used. Every axios
 *   client of the hub sets `maxRedirects: 0` (credentials never follow a redirect to another host) and
 *   `proxy: false` (functions reach partners directly, never through a proxy named in the environment),
 *   and axios reaches for those packages only when redirects or a proxy are allowed. They and `debug`,
 *   which both pull in, weighed ~22 KB in every function that calls partners; test/unit/partner-http.test.ts
 *   checks that a redirect is answered as is and that HTTP(S)_PROXY is ignored.
 * - No tracing library in the bundles. The functions run with Lambda active tracing (`Tracing.ACTIVE`,
 *   infra/hub-function.ts) but without Powertools Tracer: wrapping the SDK clients with it loaded the X-Ray
 *   SDK (aws-xray-sdk-core, semver, cls-hooked: ~120 KB and 25–40 ms of every cold start, the largest
 *   item after the SDK itself). Kept: each invocation's segment (initialization, invocation, overhead),
 *   the service map of functions, and one trace across api → EventBridge → SQS → worker, because the SDK
 *   forwards the Lambda trace header on every call (its recursion-detection middleware). Lost: the
 *   subsegments of individual DynamoDB, SQS, EventBridge and Secrets Manager calls, and of partner HTTP
 *   calls. Partner calls are measured anyway (`PartnerCallLatency`, `PartnerCallErrors`, by partner,
 *   operation and outcome). The Powertools Lambda layer was not taken: it moves the same code out of the
 *   bundle, not out of the cold start. See docs/performance.md, "Cold start".
 */
import { join } from 'node:path';

export const BUNDLE_TARGET = 'node22';
export const EXTERNAL_MODULES = ['@aws-sdk/*'];
export const ALIASES: Record<string, string> = {
  'form-data': join(__dirname, 'form-data-builtin.mjs'),
  'follow-redirects': join(__dirname, 'follow-redirects-refused.mjs'),
  'https-proxy-agent': join(__dirname, 'https-proxy-agent-refused.mjs'),
};
/** Prefer packages' ES module builds: they tree-shake, the CommonJS builds do not. */
export const MAIN_FIELDS = ['module', 'main'];
/**
 * The functions' NODE_OPTIONS: stack traces in the logs point at the TypeScript sources. Node reads and
 * parses the bundle's source map as the bundle loads (about 10 ms of cold start for a 300 KB bundle on
 * the measuring machine), so scripts/measure-bundles.ts times the load with the same options.
 */
export const NODE_OPTIONS = '--enable-source-maps';
