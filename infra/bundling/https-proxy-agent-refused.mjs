// Stands in for the `https-proxy-agent` package in the Lambda bundles (infra/bundling/esbuild-settings.ts).
// Every axios client of the hub sets `proxy: false`: functions reach partners directly (NAT or internet
// gateway), never through a proxy named in the environment. axios builds this agent only for a proxy, so
// it is never constructed; it says why if a client ever enables one.
export default class HttpsProxyAgent {
  constructor() {
    throw new Error('proxies are not supported in the hub\'s functions: set proxy: false (infra/bundling/esbuild-settings.ts)');
  }
}
