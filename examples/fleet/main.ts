/**
 * One nginx front door on its own instance in front of three Go hosts in private subnets.
 * The Go hosts admit their app port from the front door's security group only.
 */
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Fn, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { CertificateSource, HardenedGoHost, NginxFrontDoor, ObservabilityStack, ReleaseArtifact } from '../../lib';

export class FleetStack extends TerraformStack {
  public readonly apis: HardenedGoHost[];
  public readonly frontDoor: NginxFrontDoor;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const publicSubnet = new TerraformVariable(this, 'public_subnet_id', { type: 'string' });
    const privateSubnets = new TerraformVariable(this, 'private_subnet_ids', {
      type: 'list(string)',
      description: 'Three private subnets (with a NAT gateway for HTTPS egress)',
    });
    const artifact = ReleaseArtifact.fromS3(
      { bucket: 'example-releases', key: 'orders-api/v1.0.0/orders-api' },
      'd2b7b5a1c7e7f0b0c36a5e8f9f1d3a4c5b6a7e8f9d0c1b2a3f4e5d6c7b8a9f0e',
    );

    this.apis = [1, 2, 3].map(
      (n) =>
        new HardenedGoHost(this, `Api${n}`, {
          serviceName: 'orders-api',
          subnetId: Fn.element(privateSubnets.listValue, n - 1),
          artifact,
          environment: { APP_ENV: 'production' },
        }),
    );

    this.frontDoor = new NginxFrontDoor(this, 'FrontDoor', {
      subnetId: publicSubnet.stringValue,
      upstreams: this.apis,
      domainNames: ['api.example.com'],
      certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }),
      rateLimitPerSecond: 50,
    });

    // Metrics, logs and alerts, with a monitoring host in the first private subnet.
    new ObservabilityStack(this, 'Observability', {
      hosts: [...this.apis, ...this.frontDoor.hosts],
      monitoringHost: true,
      subnetId: Fn.element(privateSubnets.listValue, 0),
      alarmEmail: 'oncall@example.com',
    });

    new TerraformOutput(this, 'front_door_public_ip', { value: this.frontDoor.hosts[0].instance.publicIp });
  }
}
