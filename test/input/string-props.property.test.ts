/**
 * Property: any string, including control characters and Terraform, shell, systemd, nginx and
 * YAML metacharacters, given to any string prop, is either refused with a failure naming that
 * prop, or accepted and reaches the artifacts only through its boundary: the cloud-config still
 * parses to the same structure, the first-boot script still parses (`bash -n`), every accepted
 * unit loads in `systemd-analyze verify` (one run over all of them), and the environment value
 * and the command-line word read back to exactly the string given.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HardenedGoHost, HardenedGoHostProps, inputFailures, NginxFrontDoor, NginxFrontDoorProps, ObservabilityStack, ObservabilityStackProps } from '../../lib';
import { fdBaseProps } from '../helpers/front-door';
import { hostFiles, HostFiles } from '../helpers/host-files';
import { baseProps, newStack, synthJson } from '../helpers/stacks';
import { requireTool, run } from '../helpers/tools';
import { verifyServiceUnits } from '../helpers/units';

const UNIT = '/etc/systemd/system/orders-api.service';
const METACHARACTERS = ['\n', '\r', '\u0000', '\t', '\u007f', '$', '${', '%', '%{', '"', "'", '\\', '`', ';', '{', '}', '#', ':', ' ', '-', '@@gohost-late-0@@', '$(id)', '*', '/', '&', '|', '\u00e9'];
const hostile = fc.string({ unit: fc.oneof(fc.constantFrom(...METACHARACTERS), fc.constantFrom('a', 'Z', '0', '.', '/'), fc.string({ minLength: 1, maxLength: 1 })), maxLength: 24 });
const RUNS = 40;

type Where = 'go' | 'frontDoor' | 'observability';
/** Every string prop, and how to set it to a value. */
const STRING_PROPS: Array<[string, Where, (v: string) => object]> = [
  ['serviceName', 'go', (v) => ({ serviceName: v })],
  ['healthPath', 'go', (v) => ({ healthPath: v })],
  ['environment value', 'go', (v) => ({ environment: { GREETING: v } })],
  ['environment name', 'go', (v) => ({ environment: { [v]: 'x' } })],
  ['args item', 'go', (v) => ({ args: [v] })],
  ['memoryMax', 'go', (v) => ({ memoryMax: v })],
  ['cpuQuota', 'go', (v) => ({ cpuQuota: v })],
  ['configFileContent', 'go', (v) => ({ configFileContent: v })],
  ['instanceType', 'go', (v) => ({ instanceType: v, memoryMax: '1G', cpuQuota: '100%' })],
  ['journalSystemMaxUse', 'go', (v) => ({ journalSystemMaxUse: v })],
  ['ntpServers item', 'go', (v) => ({ ntpServers: [v] })],
  ['sysctlOverrides value', 'go', (v) => ({ sysctlOverrides: { 'net.core.netdev_max_backlog': v } })],
  ['sysctlOverrides key', 'go', (v) => ({ sysctlOverrides: { [v]: '1' } })],
  ['adminSshCidrs item', 'go', (v) => ({ adminSshCidrs: [v] })],
  ['tags value', 'go', (v) => ({ tags: { team: v } })],
  ['keyPairName', 'go', (v) => ({ keyPairName: v })],
  ['subnetId', 'go', (v) => ({ subnetId: v })],
  ['domainNames item', 'frontDoor', (v) => ({ domainNames: [v] })],
  ['upstreams item', 'frontDoor', (v) => ({ upstreams: [v] })],
  ['staticRootDirectory', 'frontDoor', (v) => ({ staticRootDirectory: v })],
  ['proxyPaths item', 'frontDoor', (v) => ({ proxyPaths: [v] })],
  ['internalPaths item', 'frontDoor', (v) => ({ internalPaths: [v] })],
  ['responseHeaders value', 'frontDoor', (v) => ({ responseHeaders: { 'X-Team': v } })],
  ['hostName', 'frontDoor', (v) => ({ hostName: v })],
  ['alarmEmail', 'observability', (v) => ({ alarmEmail: v })],
  ['appMetricsPath', 'observability', (v) => ({ appMetricsPath: v })],
  ['lokiPushUrl', 'observability', (v) => ({ lokiPushUrl: v })],
];

/** systemd's reading of one double-quoted value: \\ and \" unescaped, %% is %, and (in command lines) $$ is $. */
function systemdUnquote(quoted: string, commandLine: boolean): string {
  let s = quoted.replace(/\\(["\\])/g, '$1').replace(/%%/g, '%');
  if (commandLine) s = s.replace(/\$\$/g, '$');
  return s;
}

const accepted: HostFiles[] = [];

beforeAll(() => {
  for (const t of ['systemd-analyze', 'unshare']) requireTool(t);
});

describe('any string in any string prop: refused by name, or carried through its boundary', () => {
  it.each(STRING_PROPS)('%s', (name, where, set) => {
    fc.assert(
      fc.property(hostile, (value) => {
        const { stack } = newStack();
        if (where === 'go') new HardenedGoHost(stack, 'Api', { ...baseProps, ...set(value) } as HardenedGoHostProps);
        else if (where === 'frontDoor') new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, ...set(value) } as NginxFrontDoorProps);
        else new ObservabilityStack(stack, 'Obs', { hosts: [new HardenedGoHost(stack, 'Api', baseProps)], ...set(value) } as ObservabilityStackProps);
        const failures = inputFailures(stack).flatMap((r) => r.failures);
        if (failures.length > 0) {
          // Refused: a failure names the prop the value was given to, with a fix.
          const fuzzed = Object.keys(set(value))[0];
          expect(failures.filter((f) => f.prop.split(/[.[]/)[0] === fuzzed && f.fix.length > 0).length, JSON.stringify(failures)).toBeGreaterThan(0);
          return;
        }
        const tf = synthJson(stack);
        for (const [key, config] of Object.entries<any>(tf.data.cloudinit_config)) {
          const files = hostFiles(config.part);
          // The cloud-config is still one mapping with the library's keys, and the script still parses.
          expect(Object.keys(files.doc).sort(), key).toEqual(expect.arrayContaining(['packages', 'write_files']));
          expect(run('bash', ['-n'], { input: files.script }).status, key).toBe(0);
          // An accepted serviceName renames the unit; its own text is checked by bash and the YAML parse above.
          if (key.startsWith('Api_') && name !== 'serviceName') {
            const unit = files.file(UNIT);
            if (name === 'environment value') {
              const line = unit.split('\n').find((l) => l.startsWith('Environment="GREETING=') || l.startsWith('Environment=GREETING='))!;
              const raw = line.startsWith('Environment="') ? systemdUnquote(line.slice('Environment="GREETING='.length, -1), false) : line.slice('Environment=GREETING='.length).replace(/%%/g, '%');
              expect(raw).toBe(value);
            }
            if (name === 'args item') {
              const exec = unit.split('\n').find((l) => l.startsWith('ExecStart='))!;
              const word = exec.slice('ExecStart=/opt/orders-api/current/orders-api '.length);
              expect(word.startsWith('"') ? systemdUnquote(word.slice(1, -1), true) : word.replace(/%%/g, '%').replace(/\$\$/g, '$')).toBe(value);
            }
            if (accepted.length < 400) accepted.push(files);
          }
        }
      }),
      { numRuns: RUNS, seed: 20261201 },
    );
  });
});

afterAll(() => {
  // One systemd-analyze run over every accepted unit (each under its own name), binaries in place.
  const r = verifyServiceUnits(accepted.map((files) => files.file(UNIT)), accepted[0].file('/usr/local/lib/orders-api/precheck'));
  expect(accepted.length).toBeGreaterThan(50);
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
}, 600_000);
