/**
 * Writes, next to each synthesized stack, `readiness.json` and `readiness.md`: one row per
 * GUIDANCE ID for every host in the stack. Call after `app.synth()`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GoHostError } from '../errors';
import { HardenedHostBase } from '../host/hardened-host';
import { HostReadiness, readinessScore, renderReadinessMarkdown, sortRows } from './rows';
import { App, TerraformStack } from '../private/cdktf';

export interface StackSummary {
  readonly stack: string;
  readonly directory: string;
  readonly resources: number;
  readonly hosts: ReadonlyArray<{ readonly host: string; readonly userDataGzipBytes: number; readonly enforced: number; readonly applicable: number }>;
}

function stackDirectory(app: App, stack: TerraformStack): string {
  const file = path.join(app.outdir, 'manifest.json');
  if (!fs.existsSync(file)) {
    throw new GoHostError(`writeReadinessReports: ${app.outdir} holds no synthesized stacks; call app.synth() first (in tests, readinessOf(stack) from cdktf-gohost/testing needs no files)`);
  }
  const manifest = JSON.parse(fs.readFileSync(file, 'utf8'));
  const entry = manifest.stacks?.[stack.node.id];
  return path.join(app.outdir, entry?.workingDirectory ?? path.join('stacks', stack.node.id));
}

export function hostsOf(stack: TerraformStack): HardenedHostBase[] {
  return stack.node.findAll().filter((c): c is HardenedHostBase => c instanceof HardenedHostBase);
}

export function writeReadinessReports(app: App): StackSummary[] {
  const summaries: StackSummary[] = [];
  for (const stack of app.node.children.filter((c): c is TerraformStack => TerraformStack.isStack(c))) {
    const dir = stackDirectory(app, stack);
    const hosts: HostReadiness[] = hostsOf(stack).map((h) => ({ host: h.node.path, rows: sortRows(h.readiness()) }));
    fs.writeFileSync(path.join(dir, 'readiness.json'), JSON.stringify({ stack: stack.node.id, hosts }, null, 2) + '\n');
    fs.writeFileSync(path.join(dir, 'readiness.md'), renderReadinessMarkdown(stack.node.id, hosts));
    const tf = JSON.parse(fs.readFileSync(path.join(dir, 'cdk.tf.json'), 'utf8'));
    const resources = Object.values<Record<string, unknown>>(tf.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
    summaries.push({
      stack: stack.node.id,
      directory: dir,
      resources,
      hosts: hostsOf(stack).map((h) => ({ host: h.node.path, userDataGzipBytes: h.userDataGzipBytes(), ...readinessScore(h.readiness()) })),
    });
  }
  return summaries;
}

