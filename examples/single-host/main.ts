/**
 * One Go service instance with its nginx TLS front door on the same instance, in a group of one
 * over public subnets: a release boots the successor beside the running instance, which claims
 * the Elastic IP only once it serves (and only then does the old one leave). The certificate kept
 * in Secrets Manager survives too. `cdktf deploy single-host --var 'public_subnet_ids=["subnet-…","subnet-…"]'`
 */
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { CertificateSource, HardenedGoService, NginxFrontDoor, ObservabilityStack, ReleaseArtifact } from '../../lib';

export class SingleHostStack extends TerraformStack {
  public readonly host: HardenedGoService;
  public readonly frontDoor: NginxFrontDoor;

  constructor(scope: Construct, id: string, options: { readonly artifactSha256?: string } = {}) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const subnetIds = new TerraformVariable(this, 'public_subnet_ids', {
      type: 'list(string)',
      description: 'Public subnets, one per Availability Zone: the instance serves 80/443 itself, and a replacement may start in any of them',
    });

    // A group of one, not an aws_instance: only Auto Scaling keeps the old instance until the new one is ready.
    this.host = new HardenedGoService(this, 'Api', {
      serviceName: 'orders-api',
      subnetIds: subnetIds.listValue,
      minCapacity: 1,
      maxCapacity: 1,
      internalLoadBalancer: false,
      associatePublicIpAddress: true,
      // The front door's certificate programs fill EC2's 16 KB user data; a retired instance's service
      // is still stopped gracefully by its shutdown (SIGTERM, timeoutStopSec), just not held for it.
      terminationLifecycleHook: false,
      // Built from examples/app with `CGO_ENABLED=0 go build`; the host verifies this digest.
      artifact: ReleaseArtifact.fromS3(
        { bucket: 'example-releases', key: 'orders-api/v1.0.0/orders-api' },
        options.artifactSha256 ?? 'd2b7b5a1c7e7f0b0c36a5e8f9f1d3a4c5b6a7e8f9d0c1b2a3f4e5d6c7b8a9f0e',
      ),
      environment: { APP_ENV: 'production', DRAIN_TIMEOUT: '20s' },
      timeoutStopSec: 30,
    });

    this.frontDoor = new NginxFrontDoor(this, 'FrontDoor', {
      host: this.host,
      domainNames: ['api.example.com'],
      certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }),
      proxyPaths: ['/api/', '/healthz'],
      staticRootDirectory: '/var/www/static',
    });

    // Exporters and a CloudWatch alarm when the group has no instance in service (no monitoring host for a single server).
    new ObservabilityStack(this, 'Observability', { hosts: [this.host], alarmEmail: 'oncall@example.com' });

    new TerraformOutput(this, 'auto_scaling_group', { value: this.host.autoScalingGroup.name });
    new TerraformOutput(this, 'public_ip', { value: this.frontDoor.publicIp, description: 'Point api.example.com here (an Elastic IP: it moves to a replacement only once that one serves)' });
  }
}
