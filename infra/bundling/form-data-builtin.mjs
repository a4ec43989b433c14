// Stands in for the `form-data` package in the Lambda bundles (infra/bundling/esbuild-settings.ts). axios
// then builds multipart bodies with Node's built-in FormData (`new (PlatformFormData || FormData)()`),
// which its http adapter streams natively; the hub sends no multipart bodies anyway.
export default undefined;
