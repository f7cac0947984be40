import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Eip as RealEip } from '@cdktf/provider-aws/lib/eip';
import { TerraformStack, Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { Eip } from '../../lib/private/aws';

const ROOT = path.join(__dirname, '..', '..');

describe('provider classes only some features use', () => {
  it('are not loaded with the library', () => {
    const script = [
      "require('./lib');",
      "const loaded = Object.keys(require.cache).filter((k) => /provider-aws[\\\\/]lib[\\\\/](lb|launch-template|autoscaling-group|eip|sns-topic|secretsmanager-secret|ebs-volume)[\\\\/]/.test(k));",
      "const base = Object.keys(require.cache).filter((k) => /provider-aws[\\\\/]lib[\\\\/]instance[\\\\/]/.test(k));",
      'console.log(JSON.stringify({ loaded: loaded.length, base: base.length }));',
    ].join('\n');
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toEqual({ loaded: 0, base: 1 });
  });

  it('construct the real class on first use: its instances, statics and instanceof as before', () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, 'test');
    new AwsProvider(stack, 'aws', { region: 'eu-west-1' });
    const eip = new Eip(stack, 'Ip', { domain: 'vpc' });
    expect(eip).toBeInstanceOf(RealEip);
    expect(eip instanceof Eip).toBe(true);
    expect(Eip.tfResourceType).toBe('aws_eip');
    expect(JSON.parse(Testing.synth(stack)).resource.aws_eip.Ip.domain).toBe('vpc');
  });
});
