/**
 * The names each construct accepts are exactly its props interface's: a prop missing from the
 * list would be refused as unknown, a name in it that the interface lacks would be ignored in
 * silence. Read from the declarations with the TypeScript compiler.
 */
import * as path from 'node:path';
import * as ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { FRONT_DOOR_PROP_TYPES } from '../../lib/front-door/checks';
import { hostPropNames } from '../../lib/host/checks';
import { GO_HOST_PROP_NAMES } from '../../lib/go-service/hardened-go-host';
import { OBSERVABILITY_PROP_TYPES } from '../../lib/observability/checks';
import { HardenedGoService, HardenedHost, HardenedGoHost, NginxFrontDoor, ObservabilityStack } from '../../lib';
import { GO_SERVICE_GROUP_PROP_NAMES } from '../../lib/go-service/hardened-go-service';
import { HOST_GROUP_PROP_NAMES } from '../../lib/host/hardened-host-group';
import { validationError } from '../helpers/errors';
import { baseProps, hostStack, newStack } from '../helpers/stacks';

const SUBNETS = ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1'];

const ROOT = path.resolve(__dirname, '../..');
const program = ts.createProgram([path.join(ROOT, 'lib/index.ts')], { strict: true });
const checker = program.getTypeChecker();
const exportsOf = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(path.join(ROOT, 'lib/index.ts'))!)!);
function interfaceProps(name: string): string[] {
  const sym = exportsOf.find((s) => s.name === name)!;
  const type = checker.getDeclaredTypeOfSymbol(sym.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(sym) : sym);
  return checker.getPropertiesOfType(type).map((p) => p.name).sort();
}

describe('each construct knows exactly the props of its interface', () => {
  it('HardenedHost and HardenedGoHost', () => {
    expect([...hostPropNames()].sort()).toEqual(interfaceProps('HardenedHostProps'));
    expect([...GO_HOST_PROP_NAMES].sort()).toEqual(interfaceProps('HardenedGoHostProps'));
  });
  it('NginxFrontDoor and ObservabilityStack', () => {
    expect(Object.keys(FRONT_DOOR_PROP_TYPES).sort()).toEqual(interfaceProps('NginxFrontDoorProps'));
    expect(Object.keys(OBSERVABILITY_PROP_TYPES).sort()).toEqual(interfaceProps('ObservabilityStackProps'));
  });
  it('HardenedGoService and HardenedHostGroup (a host\'s and a group\'s, not one instance\'s)', () => {
    expect([...GO_SERVICE_GROUP_PROP_NAMES].sort()).toEqual(interfaceProps('HardenedGoServiceProps'));
    expect([...HOST_GROUP_PROP_NAMES].sort()).toEqual(interfaceProps('HardenedHostGroupProps'));
  });
});

describe('a misspelt or misplaced prop fails synth, naming the prop it meant', () => {
  it('HardenedGoHost: memoryMAX', () => {
    expect(validationError(() => hostStack({ memoryMAX: '1G' } as never)).message).toContain('memoryMAX = "1G": is not a prop of this construct (it would be ignored). Fix: did you mean memoryMax?');
  });
  it('HardenedGoService: subnetId (a group takes subnetIds)', () => {
    const { message } = validationError(() => {
      const { stack } = newStack();
      return new HardenedGoService(stack, 'Api', { ...baseProps, subnetIds: SUBNETS, subnetId: 'subnet-1' } as never);
    });
    expect(message).toContain('subnetId = "subnet-1": is not a prop of this construct (it would be ignored). Fix: did you mean subnetIds?');
  });
  it('HardenedHost: a name far from any prop', () => {
    const { message } = validationError(() => {
      const { stack } = newStack();
      return new HardenedHost(stack, 'Plain', { colour: 'blue' } as never);
    });
    expect(message).toMatch(/colour = "blue": is not a prop of this construct \(it would be ignored\)\. Fix: see the construct's props in the README/);
  });
  it('NginxFrontDoor: domainName, and ObservabilityStack: monitoringhost', () => {
    const { message } = validationError(() => {
      const { stack } = newStack();
      const api = new HardenedGoHost(stack, 'Api', baseProps);
      new NginxFrontDoor(stack, 'FrontDoor', { host: api, domainNames: ['api.example.com'], domainName: 'api.example.com', certificate: undefined as never } as never);
      return new ObservabilityStack(stack, 'Observability', { hosts: [api], monitoringhost: true } as never);
    });
    expect(message).toContain('domainName = "api.example.com": is not a prop of this construct (it would be ignored). Fix: did you mean domainNames?');
    expect(message).toContain('monitoringhost = true: is not a prop of this construct (it would be ignored). Fix: did you mean monitoringHost?');
  });
});
