/**
 * One Go service host in a given VPC subnet: the smallest complete use of the library.
 * `cdktf deploy single-host -var subnet_id=subnet-…`
 */
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { HardenedGoHost, ReleaseArtifact } from '../../lib';

export class SingleHostStack extends TerraformStack {
  public readonly host: HardenedGoHost;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const subnetId = new TerraformVariable(this, 'subnet_id', {
      type: 'string',
      description: 'Private subnet for the host (it needs a NAT gateway or VPC endpoints for HTTPS egress)',
    });

    this.host = new HardenedGoHost(this, 'Api', {
      serviceName: 'orders-api',
      subnetId: subnetId.stringValue,
      // Built from examples/app with `CGO_ENABLED=0 go build`; the host verifies this digest.
      artifact: ReleaseArtifact.fromS3(
        { bucket: 'example-releases', key: 'orders-api/v1.0.0/orders-api' },
        'd2b7b5a1c7e7f0b0c36a5e8f9f1d3a4c5b6a7e8f9d0c1b2a3f4e5d6c7b8a9f0e',
      ),
      environment: { APP_ENV: 'production', DRAIN_TIMEOUT: '20s' },
      timeoutStopSec: 30,
    });

    new TerraformOutput(this, 'instance_id', { value: this.host.instance.id });
    new TerraformOutput(this, 'ssm_session', {
      value: `aws ssm start-session --target ${this.host.instance.id}`,
      description: 'Shell access (SSH is closed)',
    });
  }
}
