/**
 * One Go service host with its nginx TLS front door on the same instance, in a given VPC subnet.
 * The Elastic IP and the certificate kept in Secrets Manager survive a release (which replaces the instance).
 * `cdktf deploy single-host --var subnet_id=subnet-…`
 */
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { CertificateSource, HardenedGoHost, NginxFrontDoor, ObservabilityStack, ReleaseArtifact } from '../../lib';

export class SingleHostStack extends TerraformStack {
  public readonly host: HardenedGoHost;
  public readonly frontDoor: NginxFrontDoor;

  constructor(scope: Construct, id: string, options: { readonly artifactSha256?: string } = {}) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const subnetId = new TerraformVariable(this, 'subnet_id', {
      type: 'string',
      description: 'Public subnet for the host (it serves 80/443 itself)',
    });

    this.host = new HardenedGoHost(this, 'Api', {
      serviceName: 'orders-api',
      subnetId: subnetId.stringValue,
      associatePublicIpAddress: true,
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

    // Exporters and CloudWatch self-healing alarms (no monitoring host for a single server).
    new ObservabilityStack(this, 'Observability', { hosts: [this.host], alarmEmail: 'oncall@example.com' });

    new TerraformOutput(this, 'instance_id', { value: this.host.instance.id });
    new TerraformOutput(this, 'public_ip', { value: this.frontDoor.publicIp, description: 'Point api.example.com here (an Elastic IP: it survives replacement)' });
  }
}
