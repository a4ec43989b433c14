import { build } from 'esbuild';
import { ALIASES, BUNDLE_TARGET, EXTERNAL_MODULES, MAIN_FIELDS } from './infra/bundling/esbuild-settings';
(async () => {
  const [fn, target] = process.argv.slice(2);
  const r = await build({ entryPoints: [`functions/${fn}.ts`], bundle: true, platform: 'node', format: 'cjs', target: BUNDLE_TARGET, minify: true, mainFields: MAIN_FIELDS, external: EXTERNAL_MODULES, alias: ALIASES, write: false, metafile: true, logLevel: 'silent' });
  for (const [k, v] of Object.entries(r.metafile.inputs)) for (const i of v.imports) if (i.path.includes(target!)) console.log(k, '->', i.path);
})();
