/**
 * Every number prop of every construct, given a value JavaScript prints in exponent form (1e+21,
 * 1e-7), is refused at synth naming that prop, or reaches no file in that form: systemd, sysctl,
 * nginx and bash would read "1e+21" as something else or refuse it.
 */
import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { HardenedGoHost, HardenedGoService, inputFailures, NginxFrontDoor, ObservabilityStack } from '../../lib';
import { FRONT_DOOR_PROP_TYPES } from '../../lib/front-door/checks';
import { GROUP_PROP_TYPES } from '../../lib/go-service/group-checks';
import { HOST_PROP_TYPES } from '../../lib/host/checks';
import { GO_SERVICE_PROP_TYPES } from '../../lib/go-service/checks';
import { OBSERVABILITY_PROP_TYPES } from '../../lib/observability/checks';
import { fdBaseProps } from '../helpers/front-door';
import { baseProps, newStack } from '../helpers/stacks';

const numbers = (schema: Readonly<Record<string, string>>) => Object.entries(schema).filter(([, t]) => t === 'number').map(([p]) => p);
const { subnetId: _subnetId, ...groupBase } = baseProps;
const BUILDERS: Record<string, [string[], (stack: any, prop: Record<string, unknown>) => void]> = {
  HardenedGoHost: [numbers({ ...HOST_PROP_TYPES, ...GO_SERVICE_PROP_TYPES }).concat('gogc'), (stack, p) => void new HardenedGoHost(stack, 'Api', { ...baseProps, ...p })],
  HardenedGoService: [numbers(GROUP_PROP_TYPES), (stack, p) => void new HardenedGoService(stack, 'Api', { ...groupBase, subnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'], ...p })],
  NginxFrontDoor: [numbers(FRONT_DOOR_PROP_TYPES), (stack, p) => void new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, ...p })],
  ObservabilityStack: [numbers(OBSERVABILITY_PROP_TYPES), (stack, p) => {
    const api = new HardenedGoHost(stack, 'Api', baseProps);
    new ObservabilityStack(stack, 'Obs', { hosts: [api], monitoringHost: true, subnetId: 'subnet-0123456789abcdef1', ...p });
  }],
};
const CASES = Object.entries(BUILDERS).flatMap(([construct, [props, build]]) => props.flatMap((prop) => [1e21, 1e-7].map((value) => ({ construct, prop, value, build }))));

describe('numbers in exponent form never reach a file', () => {
  it('there are number props to try', () => {
    expect(CASES.length).toBeGreaterThan(60);
  });
  it.each(CASES.map((c) => [`${c.construct}.${c.prop} = ${c.value}`, c] as const))('%s', (_, { prop, value, build }) => {
    const { stack } = newStack();
    build(stack, { [prop]: value });
    const failures = inputFailures(stack).flatMap((r) => r.failures.map((f) => f.prop));
    if (failures.length > 0) {
      expect(failures.some((f) => f === prop || f.startsWith(`${prop}[`))).toBe(true);
      return;
    }
    const json = Testing.synth(stack);
    expect(json).not.toContain(String(value));
  });
});
