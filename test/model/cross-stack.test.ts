import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { S3Bucket } from '@cdktf/provider-aws/lib/s3-bucket';
import { App, TerraformStack } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { HardenedGoHost } from '../../lib';
import { baseProps } from './../helpers/stacks';

// cdktf finds cross-stack references in a preparing pass before aspects run; the user data shows
// that pass its references without rendering text (rendering waits for the aspects).
describe('a reference to another stack in the user data', () => {
  it('becomes an output of that stack and remote state in this one, through app.synth()', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'gohost-cross-stack-'));
    try {
      const app = new App({ outdir });
      const storage = new TerraformStack(app, 'storage');
      new AwsProvider(storage, 'aws', { region: 'eu-west-1' });
      const bucket = new S3Bucket(storage, 'Releases', { bucketPrefix: 'releases-' });
      const service = new TerraformStack(app, 'service');
      new AwsProvider(service, 'aws', { region: 'eu-west-1' });
      // Only the user data holds this reference (the service's environment).
      new HardenedGoHost(service, 'Api', { ...baseProps, environment: { ASSETS_HOST: bucket.bucketDomainName } });
      app.synth();

      const read = (stack: string) => JSON.parse(fs.readFileSync(path.join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8'));
      const storageTf = read('storage');
      const serviceTf = read('service');
      const outputs = Object.entries<any>(storageTf.output ?? {});
      expect(outputs.map(([, o]) => o.value)).toContain('${aws_s3_bucket.Releases.bucket_domain_name}');
      const remote = Object.keys(serviceTf.data.terraform_remote_state ?? {});
      expect(remote).toHaveLength(1);
      const [outputName] = outputs.find(([, o]) => o.value === '${aws_s3_bucket.Releases.bucket_domain_name}')!;
      const cloudConfig = Object.values<any>(serviceTf.data.cloudinit_config)[0].part[0].content as string;
      expect(cloudConfig).toContain(`data.terraform_remote_state.${remote[0]}.outputs.${outputName}`);
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });
});
