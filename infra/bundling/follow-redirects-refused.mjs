// Stands in for the `follow-redirects` package in the Lambda bundles (infra/bundling/esbuild-settings.ts).
// Every axios client of the hub sets `maxRedirects: 0` (a partner's credentials never follow a redirect to
// another host), and axios then calls Node's own http/https; it reaches for follow-redirects only when
// redirects are allowed. So this transport is never used, and says why if a client ever allows redirects.
const refused = {
  request() {
    throw new Error('redirects are not followed in the hub\'s functions: set maxRedirects: 0 (infra/bundling/esbuild-settings.ts)');
  },
};
export default { http: refused, https: refused };
