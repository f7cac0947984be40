/** Readiness reports from a stack in memory (Testing.synth), without writing files. */
import type { IConstruct } from 'constructs';
import { HostReadiness, sortRows } from '../readiness/rows';
import { hostsOf } from '../readiness/report';
import { TerraformStack } from '../private/cdktf';

/** One report per host of `scope`'s stack, rows in checklist order. */
export function readinessOf(scope: IConstruct): HostReadiness[] {
  return hostsOf(TerraformStack.of(scope)).map((h) => ({ host: h.node.path, rows: sortRows(h.readiness()) }));
}
