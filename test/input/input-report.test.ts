/**
 * All failures of a stack at once: every construct records its failures as a validation and is
 * built to the end without the props that failed, so `cdktf synth` reports the whole stack in one
 * list (construct path, prop, value, fix) and prints it without a stack trace.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, TerraformStack, Testing } from 'cdktf';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { describe, expect, it } from 'vitest';
import { HardenedGoHost, HardenedGoService, inputFailures, NginxFrontDoor, ObservabilityStack, Peer, Port } from '../../lib';
import { validationError } from '../helpers/errors';
import { fdBaseProps } from '../helpers/front-door';
import { baseProps, newStack, synthJson } from '../helpers/stacks';
import { run, tempDir } from '../helpers/tools';

const ROOT = path.resolve(__dirname, '../..');

describe('one report for the whole stack', () => {
  it('two bad hosts, a bad front door and a bad observability stack are listed together', () => {
    const { stack } = newStack();
    const a = new HardenedGoHost(stack, 'A', { ...baseProps, serviceName: 'a-api', listenPort: 70000 });
    new HardenedGoHost(stack, 'B', { ...baseProps, serviceName: 'b-api', memoryMax: 'lots', adminSshCidrs: ['nope'] });
    new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, domainNames: ['Not A Domain'], upstreams: [a] });
    new ObservabilityStack(stack, 'Obs', { hosts: [a], retentionDays: 0 });
    expect(inputFailures(stack).map((r) => [r.path, r.failures.map((f) => f.prop)])).toEqual([
      ['test/A', ['listenPort']],
      ['test/B', ['memoryMax', 'adminSshCidrs[0]']],
      ['test/FrontDoor', ['domainNames[0]']],
      ['test/Obs', ['retentionDays']],
    ]);
    const message = validationError(() => stack).message;
    expect(message).toContain('  [test/A] listenPort = 70000: is not a TCP port (1–65535). Fix: use a port such as 8080\n');
    expect(message).toContain('  [test/B] memoryMax = "lots": is not in systemd\'s MemoryMax= byte syntax.');
    expect(message).toContain('  [test/B] adminSshCidrs[0] = "nope": is not a valid IPv4 or IPv6 CIDR.');
    expect(message).toContain('  [test/FrontDoor] domainNames[0] = "Not A Domain": is not a valid lower-case DNS name.');
    expect(message).toContain('  [test/Obs] retentionDays = 0: must be a whole number of days, at least 1.');
  });

  it('a good stack has no failures and synthesizes', () => {
    const { stack } = newStack();
    new HardenedGoHost(stack, 'A', baseProps);
    expect(inputFailures(stack)).toEqual([]);
    expect(() => synthJson(stack)).not.toThrow();
  });

  it('the error is thrown at synthesis, not by the constructor, and carries no stack frames', () => {
    const { stack } = newStack();
    expect(() => new HardenedGoHost(stack, 'A', { ...baseProps, listenPort: 0 })).not.toThrow();
    let error: Error | undefined;
    try {
      Testing.synth(stack, true);
    } catch (e) {
      error = e as Error;
    }
    expect(error?.stack).toBeDefined();
    expect(error!.stack).not.toMatch(/\n\s+at /);
  });

  it('a bad port-model call is reported with the rest, and its rule is not created', () => {
    const { stack } = newStack();
    const a = new HardenedGoHost(stack, 'A', baseProps);
    a.connections.allowFrom(Peer.ipv4('10.0.0.0/40'), Port.tcp(8080), 'bad');
    const e = validationError(() => stack);
    expect(e.message).toContain('[test/A] peer = "10.0.0.0/40": is not a valid IPv4 or IPv6 CIDR');
  });

  it('an Auto Scaling service with a bad group prop still lets the front door behind it be checked', () => {
    const { stack } = newStack();
    const svc = new HardenedGoService(stack, 'Svc', { ...baseProps, subnetIds: ['nope'], subnetId: undefined } as any);
    new NginxFrontDoor(stack, 'FrontDoor', { ...fdBaseProps, upstreams: [svc], hstsMaxAgeSeconds: -1 });
    const e = validationError(() => stack);
    expect(e.failures.map((f) => f.prop)).toEqual(expect.arrayContaining(['subnetIds[0]', 'hstsMaxAgeSeconds']));
  });
});

describe('plain JavaScript and JSON configuration: wrong types name the prop and the expected type', () => {
  it.each([
    ['NginxFrontDoor domainNames as a string', () => ({ ...fdBaseProps, domainNames: 'shop.example.com' }), 'domainNames = "shop.example.com": must be a list of strings, not a string'],
    ['NginxFrontDoor without certificate', () => ({ ...fdBaseProps, certificate: undefined }), 'certificate = (not set): is required'],
    ['NginxFrontDoor hsts as a string', () => ({ ...fdBaseProps, hsts: 'yes' }), 'hsts = "yes": must be a boolean, not a string'],
    ['NginxFrontDoor upstreams as a string', () => ({ ...fdBaseProps, upstreams: '127.0.0.1:8080' }), 'upstreams = "127.0.0.1:8080": must be a list, not a string'],
    ['NginxFrontDoor host that is not a Go host', () => ({ ...fdBaseProps, subnetId: undefined, vpcId: undefined, upstreams: undefined, host: { distro: 'x' } }), 'host = "[object Object]": is not a HardenedGoHost'],
  ])('%s', (_, props, expected) => {
    const { stack } = newStack();
    expect(validationError(() => new NginxFrontDoor(stack, 'FrontDoor', props() as any)).message).toContain(expected);
  });

  it.each([
    ['ObservabilityStack retentionDays as a string', { retentionDays: '15' }, 'retentionDays = "15": must be a number, not a string'],
    ['ObservabilityStack hosts as an object', { hosts: {} }, 'hosts = {}: must be a list, not an object'],
    ['ObservabilityStack a host that is not one', { hosts: ['api'] }, 'hosts = "api": is not a host of this library'],
    ['ObservabilityStack null props', null, 'props = null: must be an object'],
  ])('%s', (_, props, expected) => {
    const { stack } = newStack();
    expect(validationError(() => new ObservabilityStack(stack, 'Obs', props as any)).message).toContain(expected);
  });

  it('HardenedGoHost with props that are not an object', () => {
    const { stack } = newStack();
    const e = validationError(() => new HardenedGoHost(stack, 'A', 'orders-api' as any));
    expect(e.message).toContain('[test/A] props = "orders-api": must be an object');
  });
});

describe('cdktf synth (the real CLI) on a stack with two bad hosts', () => {
  it('prints both, each under its construct path, and no stack trace', () => {
    const fixture = path.join(ROOT, 'test/fixtures/bad-input');
    const r = run(path.join(ROOT, 'node_modules/.bin/cdktf'), ['synth', '--output', tempDir('bad-input-out')], {
      cwd: fixture,
      env: { ...process.env, CHECKPOINT_DISABLE: '1', CI: 'true', FORCE_COLOR: '0' },
      timeoutMs: 300_000,
    });
    const out = r.stdout + r.stderr;
    expect(r.status, out).not.toBe(0);
    expect(out).toContain('[bad/First] listenPort = 70000: is not a TCP port (1–65535). Fix: use a port such as 8080');
    expect(out).toContain('[bad/Second] memoryMax = "lots": is not in systemd\'s MemoryMax= byte syntax');
    expect(out).not.toMatch(/^\s+at /m);
  });
});

describe('skipValidation does not let bad input through', () => {
  it('an app that skips validation still fails synth with the report, and writes no stack', () => {
    const outdir = tempDir('skip-validation');
    const app = new App({ outdir, skipValidation: true });
    const stack = new TerraformStack(app, 'skip');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new HardenedGoHost(stack, 'A', { ...baseProps, listenPort: 70000 });
    expect(() => app.synth()).toThrow(/\[skip\/A\] listenPort = 70000: is not a TCP port/);
    expect(fs.existsSync(path.join(outdir, 'stacks', 'skip', 'cdk.tf.json'))).toBe(false);
  });
  it('good input synthesizes as before with skipValidation', () => {
    const app = new App({ outdir: tempDir('skip-validation-ok'), skipValidation: true });
    const stack = new TerraformStack(app, 'ok');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    new HardenedGoHost(stack, 'A', baseProps);
    expect(() => app.synth()).not.toThrow();
  });
});

describe('an app run without the cdktf CLI: its warnings and its errors', () => {
  const app = (dir: string, prop = "environment: { DB_PASS: 'x' }") => {
    const file = path.join(dir, 'main.ts');
    fs.writeFileSync(file, [
      "import { App, TerraformStack } from 'cdktf';",
      "import { AwsProvider } from '@cdktf/provider-aws/lib/provider';",
      `import { HardenedGoHost, ReleaseArtifact } from ${JSON.stringify(path.join(ROOT, 'lib'))};`,
      'const app = new App({ outdir: process.argv[2] });',
      "const stack = new TerraformStack(app, 'demo');",
      "new AwsProvider(stack, 'aws', { region: 'eu-west-1' });",
      "new HardenedGoHost(stack, 'Api', { serviceName: 'orders-api', subnetId: 'subnet-0123456789abcdef0', vpcId: 'vpc-0123456789abcdef0',",
      `  artifact: ReleaseArtifact.fromS3({ bucket: 'releases', key: 'api' }, 'a'.repeat(64)), ${prop} });`,
      'app.synth();',
    ].join('\n'));
    return file;
  };
  const tsx = (env: NodeJS.ProcessEnv, prop?: string) => {
    const dir = tempDir('warn-app');
    // As a user's shell would run it: none of the test runner's variables.
    const outside = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VITEST|NODE_OPTIONS|TSX_)/.test(k)));
    // The app lives outside the repository: cdktf and the provider come from its node_modules.
    return run(path.join(ROOT, 'node_modules/.bin/tsx'), [app(dir, prop), path.join(dir, 'out')], { cwd: dir, env: { ...outside, NODE_PATH: path.join(ROOT, 'node_modules'), ...env }, timeoutMs: 120_000 });
  };

  it('are printed to stderr with plain tsx (the CLI, which prints annotations, is not there)', () => {
    const r = tsx({});
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('[WARNING] [demo/Api] environment.DB_PASS has a name that looks like a secret');
  });
  it('bad input with plain tsx: the report alone on stderr, exit code 1, none of Node\'s internal frames', () => {
    const r = tsx({}, 'listenPort: 70000');
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('Validation failed with the following errors (cdktf-gohost checks its input even with skipValidation):\n'
      + '  [demo/Api] listenPort = 70000: is not a TCP port (1–65535). Fix: use a port such as 8080\n');
  });
  it('are left to the CLI under cdktf synth (CDKTF_OUTDIR set): printed once', () => {
    const r = tsx({ CDKTF_OUTDIR: tempDir('warn-cli') });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('[WARNING]');
  });
});
