/**
 * Defaults live in one constant per feature; the `@default` in each prop's docs must say the same
 * value, so docs and behaviour cannot drift apart.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  CertificateSource, FRONT_DOOR_DEFAULTS, GO_HOST_DEFAULTS, GO_SERVICE_GROUP_DEFAULTS, HOST_DEFAULTS, HostConfigurationProps, OBSERVABILITY_DEFAULTS, ReleaseArtifact,
  resolveFrontDoorSettings, resolveGoServiceSettings, resolveHostSettings, resolveObservabilitySettings,
} from '../../lib';
import { DISTROS } from '../../lib/host/distro';

const LIB = path.join(__dirname, '..', '..', 'lib');

/** `prop → literal` for every prop whose docs give a literal `@default` (number, string, boolean). */
function documentedDefaults(file: string, iface: string): Record<string, unknown> {
  const text = fs.readFileSync(path.join(LIB, file), 'utf8');
  const body = text.slice(text.indexOf(`export interface ${iface}`));
  const end = body.indexOf('\n}\n');
  const out: Record<string, unknown> = {};
  for (const m of body.slice(0, end).matchAll(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*readonly (\w+)\?:/g)) {
    const d = /@default\s+(-?[\d.]+|"[^"]*"|true|false)(?=\s|\*|$)/.exec(m[1]);
    if (d) out[m[2]] = JSON.parse(d[1]);
  }
  return out;
}

/** Every literal `@default` of `iface`'s props is the constant's value. */
function expectDocumentedDefaults(file: string, iface: string, defaults: object, atLeast: number): void {
  const documented = documentedDefaults(file, iface);
  expect(Object.keys(documented).length).toBeGreaterThanOrEqual(atLeast);
  for (const [prop, value] of Object.entries(documented)) expect((defaults as Record<string, unknown>)[prop], prop).toEqual(value);
}

describe('defaults: one constant per feature, and the docs say the same', () => {
  it('ObservabilityStack: every documented default is OBSERVABILITY_DEFAULTS\'s value', () => {
    expectDocumentedDefaults(path.join('observability', 'props.ts'), 'ObservabilityStackProps', OBSERVABILITY_DEFAULTS, 11);
  });

  it('resolveObservabilitySettings applies them and names the failures (pure: no construct needed)', () => {
    const { settings, failures } = resolveObservabilitySettings({ retentionDays: 0 }, () => false);
    expect(failures.map((f) => f.prop)).toEqual(['retentionDays']);
    expect(settings.retentionDays).toBe(OBSERVABILITY_DEFAULTS.retentionDays);
    expect(settings.thresholds.fdUsageAlertPercent).toBe(OBSERVABILITY_DEFAULTS.fdUsageAlertPercent);
    expect(settings.instanceType).toBe('t3.medium');
  });
});

describe('defaults: NginxFrontDoor', () => {
  it('every documented default is FRONT_DOOR_DEFAULTS\'s value', () => {
    expectDocumentedDefaults(path.join('front-door', 'props.ts'), 'NginxFrontDoorProps', FRONT_DOOR_DEFAULTS, 16);
  });

  it('no default is written into the construct or its checks beside the constant', () => {
    for (const file of ['nginx-front-door.ts', 'checks.ts']) {
      const text = fs.readFileSync(path.join(LIB, 'front-door', file), 'utf8');
      expect(text, file).not.toMatch(/props\.\w+ \?\? (?:\d|'|"|true|false|\[(?!\]))/);
    }
  });
});

describe('defaults: ObservabilityStack construct', () => {
  it('no default is written into the construct beside the constant', () => {
    const text = fs.readFileSync(path.join(LIB, 'observability', 'observability-stack.ts'), 'utf8');
    expect(text).not.toMatch(/\?\? (?:\d|'|"|true|false)/);
  });
});

describe('defaults: hosts and Go services', () => {
  it.each([
    ['host', 'HostConfigurationProps', HOST_DEFAULTS],
    ['host', 'HardenedHostProps', HOST_DEFAULTS],
    ['go-service', 'GoServiceProps', GO_HOST_DEFAULTS],
    ['go-service', 'HardenedGoServiceProps', GO_SERVICE_GROUP_DEFAULTS],
  ] as const)('%s/props.ts %s: every documented default is the constant\'s value', (folder, iface, defaults) => {
    expectDocumentedDefaults(path.join(folder, 'props.ts'), iface, defaults, 1);
  });

  it('the host construct writes no default beside HOST_DEFAULTS', () => {
    const text = fs.readFileSync(path.join(LIB, 'host', 'hardened-host.ts'), 'utf8');
    expect(text).not.toMatch(/\b(?:props|p)\.\w+ \?\? (?:\d|'|"|true|false)/);
  });
});

describe('resolve…Settings: one pure function per feature checks the props and applies its defaults', () => {
  const isToken = () => false;

  it('resolveHostSettings: a failed prop is reported and falls back to its default; unset props get theirs', () => {
    const { settings, failures } = resolveHostSettings({ somaxconn: 'many' as unknown as number, rootVolumeSizeGiB: 4 }, {
      isToken, propTypes: {}, requiredProps: [], placeholders: {}, listenPorts: () => new Map(),
    });
    expect(failures.map((f) => f.prop)).toEqual(['somaxconn', 'rootVolumeSizeGiB']);
    expect(settings.somaxconn).toBe(HOST_DEFAULTS.somaxconn);
    expect(settings.rootVolumeSizeGiB).toBe(HOST_DEFAULTS.rootVolumeSizeGiB);
    expect(settings.instanceType).toBe(HOST_DEFAULTS.instanceType);
    expect(settings.ntpServers).toEqual(HOST_DEFAULTS.ntpServers);
  });

  it('resolveGoServiceSettings: the service\'s checks see its defaults; a set prop wins', () => {
    const host = resolveHostSettings<HostConfigurationProps>({}, { isToken, propTypes: {}, requiredProps: [], placeholders: {}, listenPorts: () => new Map() }).settings;
    const artifact = ReleaseArtifact.fromS3({ bucket: 'releases', key: 'api/v1/api' }, 'a'.repeat(64));
    const ok = resolveGoServiceSettings({ ...host, serviceName: 'api', artifact, timeoutStopSec: 45 }, isToken);
    expect(ok.failures).toEqual([]);
    expect(ok.settings.listenPort).toBe(GO_HOST_DEFAULTS.listenPort);
    expect(ok.settings.timeoutStopSec).toBe(45);
    const bad = resolveGoServiceSettings({ ...host, serviceName: 'api', artifact, listenPort: 80 }, isToken);
    expect(bad.failures.map((f) => `${f.prop}: ${f.problem}`)).toEqual([expect.stringMatching(/^listenPort: is a privileged port/)]);
  });

  it('resolveFrontDoorSettings: checks with the defaults applied, and staticUrlPath defaults only with a staticRootDirectory', () => {
    const input = { isToken, distroOf: () => DISTROS['ubuntu-24.04'], isGoHost: () => false };
    const base = { domainNames: ['api.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }), subnetId: 'subnet-0123456789abcdef0', upstreams: ['10.0.1.10:8080'] };
    const plain = resolveFrontDoorSettings(base, input);
    expect(plain.failures).toEqual([]);
    expect(plain.settings.hsts).toBe(FRONT_DOOR_DEFAULTS.hsts);
    expect(plain.settings.instanceCount).toBe(FRONT_DOOR_DEFAULTS.instanceCount);
    expect(plain.settings.staticUrlPath).toBeUndefined();
    expect(resolveFrontDoorSettings({ ...base, staticRootDirectory: '/srv/static' }, input).settings.staticUrlPath).toBe(FRONT_DOOR_DEFAULTS.staticUrlPath);
    expect(resolveFrontDoorSettings({ ...base, staticUrlPath: '/assets/' }, input).failures.map((f) => f.prop)).toEqual(['staticUrlPath']);
  });

  it('no construct or check re-applies a host, Go service or front-door default', () => {
    for (const file of ['host/hardened-host.ts', 'host/checks.ts', 'go-service/hardened-go-host.ts', 'go-service/hardened-go-service.ts', 'go-service/group-checks.ts', 'front-door/checks.ts', 'front-door/nginx-front-door.ts']) {
      const text = fs.readFileSync(path.join(LIB, file), 'utf8');
      expect(text, file).not.toMatch(/\bprops?\.\w+ \?\? (?:HOST_DEFAULTS|GO_HOST_DEFAULTS|FRONT_DOOR_DEFAULTS)\./);
    }
  });
});
