/** The well-known ports are one fact: each reserved port is refused everywhere a check guards it. */
import { describe, expect, it } from 'vitest';
import { HardenedGoHost, inputFailures, NginxFrontDoor, ObservabilityStack } from '../../lib';
import { HOST_PORTS, PORTS, RESERVED_LOCAL_PORTS } from '../../lib/facts';
import { fdBaseProps } from '../helpers/front-door';
import { baseProps, newStack } from '../helpers/stacks';

const props = (build: (stack: any) => void) => {
  const { stack } = newStack();
  build(stack);
  return inputFailures(stack).flatMap((r) => r.failures.map((f) => f.prop));
};

describe('well-known ports', () => {
  it.each(Object.keys(RESERVED_LOCAL_PORTS).map(Number))('port %i is refused as listenPort, as a local upstream and as appMetricsPort', (port) => {
    expect(props((s) => new HardenedGoHost(s, 'Api', { ...baseProps, listenPort: port }))).toContain('listenPort');
    expect(props((s) => new NginxFrontDoor(s, 'FrontDoor', { ...fdBaseProps, upstreams: [`127.0.0.1:${port}`] }))).toContain('upstreams[0]');
    expect(props((s) => new ObservabilityStack(s, 'Obs', { hosts: [new HardenedGoHost(s, 'Api', baseProps)], appMetricsPort: port }))).toContain('appMetricsPort');
  });

  it('every host port is either sshd, nginx or reserved for an exporter', () => {
    expect(Object.keys(HOST_PORTS).map(Number).sort((a, b) => a - b)).toEqual([PORTS.ssh, PORTS.http, PORTS.https, PORTS.stubStatus, PORTS.nodeExporter, PORTS.nginxExporter]);
  });
});
