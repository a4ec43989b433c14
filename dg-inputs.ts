import { build, type Metafile } from 'esbuild';
import { writeFileSync } from 'node:fs';
import { ALIASES, BUNDLE_TARGET, EXTERNAL_MODULES, MAIN_FIELDS } from './infra/bundling/esbuild-settings';
(async () => {
  const r = await build({ entryPoints: [`functions/${process.argv[2]}.ts`], bundle: true, write: false, outdir: 'out', platform: 'node', format: 'cjs', target: BUNDLE_TARGET,
    minify: true, treeShaking: true, mainFields: MAIN_FIELDS, external: EXTERNAL_MODULES, alias: ALIASES, metafile: true, logLevel: 'silent' });
  const out = Object.values((r.metafile as Metafile).outputs)[0]!;
  writeFileSync(process.argv[3]!, Object.entries(out.inputs).map(([k, v]) => `${k.replace(/.*node_modules\//, 'nm/')} ${v.bytesInOutput}`).sort().join('\n') + '\n');
})();
