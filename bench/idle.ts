/**
 * `npm run bench:idle`: the fixed monthly cost of an idle deployment, from the template `npx cdk synth`
 * builds (also a scenario of `npm run bench`; this one leaves bench/results.json alone).
 */
import { synthesizedIdleCost } from './idle-cost-synth';

const c = synthesizedIdleCost();
const w = Math.max(...c.lines.map((l) => l.item.length));
console.log(`idle deployment, list prices ${c.prices.region} as of ${c.prices.asOf}, before free tiers:`);
for (const l of c.lines) console.log(`  ${l.item.padEnd(w)}  ${String(l.count).padStart(6)}  $${l.dollarsPerMonth.toFixed(2).padStart(6)}/month  (${l.basis})`);
console.log(`  ${'total'.padEnd(w)}          $${c.totalPerMonth.toFixed(2).padStart(6)}/month`);
