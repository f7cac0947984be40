/**
 * Synthesizes every example into cdktf.out/ (no AWS account needed) and writes each stack's
 * readiness report. Used by `npm run synth` and by cdktf.json (`cdktf synth|deploy <stack>`).
 */
import { App } from 'cdktf';
import { writeReadinessReports } from '../lib';
import { FleetStack } from './fleet/main';
import { SingleHostStack } from './single-host/main';
import { WorkerStack } from './worker/main';

export function buildExamples(outdir?: string): App {
  const app = new App({ outdir, skipValidation: false });
  new SingleHostStack(app, 'single-host');
  new FleetStack(app, 'fleet');
  new WorkerStack(app, 'worker');
  return app;
}

if (require.main === module) {
  const app = buildExamples();
  app.synth();
  for (const s of writeReadinessReports(app)) {
    const hosts = s.hosts
      .map((h) => `${h.host}: user data ${h.userDataGzipBytes} B gzipped, readiness ${h.enforced}/${h.applicable}`)
      .join('; ');
    console.log(`${s.stack}: ${s.resources} resources; ${hosts}`);
  }
}
