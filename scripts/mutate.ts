/**
 * `npm run mutate [area…]`: StrykerJS over the pure modules (render, input, policy), one area at a
 * time with its own tests. Prints Stryker's report (every survivor) and a summary of the scores.
 * A benchmark script, not part of CI (minutes per area on two cores).
 */
import { spawnSync } from 'node:child_process';

const areas = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['render', 'input', 'policy'];
const rows: string[] = [];
for (const area of areas) {
  const r = spawnSync('npx', ['stryker', 'run'], { env: { ...process.env, MUTATE_AREA: area }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 28 });
  process.stdout.write(r.stdout.split('\n').filter((l) => !l.startsWith('Mutation testing')).join('\n'));
  const all = /All files\s*\|\s*([\d.]+)\s*\|\s*([\d.]+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|/.exec(r.stdout);
  rows.push(all ? `${area.padEnd(8)} score ${all[1]} % (killed ${all[3]}, timed out ${all[4]}, survived ${all[5]}, no coverage ${all[6]})` : `${area.padEnd(8)} no score (exit ${r.status})`);
}
console.log(`\nmutation scores\n${rows.join('\n')}`);
