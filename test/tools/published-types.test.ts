/**
 * The published types: the library built as `npm run build` builds it (internals stripped), and a
 * user's program type-checked against them with nothing skipped — the public API is complete
 * enough to write one, and internals are not part of it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import * as lib from '../../lib';
import { run, tempDir } from '../helpers/tools';

const ROOT = path.join(__dirname, '..', '..');
const TSC = path.join(ROOT, 'node_modules', '.bin', 'tsc');
let out: string;

const PROGRAM = `
import { App, TerraformStack } from 'cdktf';
import {
  BaseHostSettings, CertificateSource, FrontDoorSettings, GoHostError, GoHostSettings, HardenedGoHost, HardenedHost,
  NginxFrontDoor, ObservabilityStack, Port, ReleaseArtifact, ScriptStep, WriteFile, promtoolRuleTests,
} from '../lib';
const app = new App();
const stack = new TerraformStack(app, 's');
const api = new HardenedGoHost(stack, 'Api', { serviceName: 'api', subnetId: 'subnet-1', artifact: ReleaseArtifact.fromS3({ bucket: 'b', key: 'k' }, 'a'.repeat(64)) });
const bastion = new HardenedHost(stack, 'Bastion', { subnetId: 'subnet-1' });
bastion.connections.allowFrom(api, Port.tcp(9000), 'from the api');
const fd = new NginxFrontDoor(stack, 'Fd', { host: api, domainNames: ['a.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'a@example.com' }) });
new ObservabilityStack(stack, 'Obs', { hosts: [api], monitoringHost: true, subnetId: 'subnet-2', alertRules: [{ alert: 'A', expr: 'up == 0', summary: 's' }] });
const go: GoHostSettings = api.settings;
const base: BaseHostSettings = bastion.baseSettings;
const front: FrontDoorSettings = fd.settings;
const file: WriteFile = { path: '/etc/x', content: 'x', permissions: '0644' };
const step: ScriptStep = { name: 'x', lines: ['true'] };
bastion.userData.addFile(file);
bastion.userData.addStep('verify', step);
console.log(go.limitNofile, base.somaxconn, front.domainNames, new GoHostError('x').name, promtoolRuleTests('r.yml', []));
`;

beforeAll(() => {
  out = tempDir('published');
  const build = run(TSC, ['-p', path.join(ROOT, 'tsconfig.build.json'), '--outDir', out], { cwd: ROOT, timeoutMs: 300_000 });
  expect(build.stdout + build.stderr).toBe('');
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(out, 'node_modules'));
}, 300_000);

describe('published types', () => {
  it('a user program type-checks against the built declarations, library types not skipped', () => {
    fs.mkdirSync(path.join(out, 'user'));
    fs.writeFileSync(path.join(out, 'user', 'main.ts'), PROGRAM);
    const r = run(TSC, ['--noEmit', '--strict', '--module', 'commonjs', '--moduleResolution', 'node', '--target', 'es2022', '--types', 'node', 'user/main.ts'], { cwd: out, timeoutMs: 300_000 });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('internals are neither exported nor declared: @internal members are stripped', () => {
    for (const name of ['PropChecks', 'formatFailure', 'sortRows', 'hostsOf', 'versionAtLeast', 'HostKind', 'GoHostValidationError', 'goServiceSpec']) {
      expect(Object.keys(lib), name).not.toContain(name);
    }
    const index = fs.readFileSync(path.join(out, 'lib', 'index.d.ts'), 'utf8');
    for (const name of ['PropChecks', 'formatFailure', 'sortRows', 'hostsOf', 'versionAtLeast', 'HostKind']) expect(index).not.toMatch(new RegExp(`\\b${name}\\b`));
    expect(fs.readFileSync(path.join(out, 'lib', 'host', 'hardened-host.d.ts'), 'utf8')).not.toContain('attachFrontDoor');
    expect(fs.readFileSync(path.join(out, 'lib', 'go-service', 'hardened-go-host.d.ts'), 'utf8')).not.toContain('goServiceSpec');
  });

  it('one error class: GoHostError, for misuse no prop check can see', () => {
    expect(() => lib.Port.tcp('8080' as never)).toThrow(lib.GoHostError);
  });
});
