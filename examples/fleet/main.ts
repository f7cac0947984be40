/**
 * A front door in an Auto Scaling group of one over the public subnets (an Elastic IP it claims
 * when healthy, its DNS record, certificate kept in Secrets Manager) in front of an internal
 * Network Load Balancer and a Go service group of three across the private subnets, with a
 * monitoring host (stable address, data volume, EC2 service discovery).
 * `cdktf deploy fleet --var hosted_zone_id=Z… --var 'public_subnet_ids=["subnet-…","subnet-…"]' --var 'private_subnet_ids=["subnet-…","subnet-…","subnet-…"]'`
 */
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { Fn, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import { CertificateSource, HardenedGoService, HardenedGoServiceProps, NginxFrontDoor, ObservabilityStack, ReleaseArtifact, ServiceSecret } from '../../lib';

/** What a release, a scale-out or a front-door change touches (the day-two plan tests vary these). */
export interface FleetOptions {
  /** SHA-256 of the release artifact. */
  readonly artifactSha256?: string;
  readonly desiredCapacity?: number;
  readonly responseHeaders?: Record<string, string>;
  /** Scheduled capacity changes of the Go service group. */
  readonly schedules?: HardenedGoServiceProps['schedules'];
  /** Secrets of the Go service besides its database password. */
  readonly moreSecrets?: HardenedGoServiceProps['secrets'];
}

export const FLEET_RELEASE_SHA256 = 'd2b7b5a1c7e7f0b0c36a5e8f9f1d3a4c5b6a7e8f9d0c1b2a3f4e5d6c7b8a9f0e';

export class FleetStack extends TerraformStack {
  public readonly api: HardenedGoService;
  public readonly frontDoor: NginxFrontDoor;
  public readonly observability: ObservabilityStack;

  constructor(scope: Construct, id: string, options: FleetOptions = {}) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    const publicSubnets = new TerraformVariable(this, 'public_subnet_ids', {
      type: 'list(string)',
      description: 'Public subnets in two or more Availability Zones (the front door is replaced into another if its zone fails)',
    });
    const zone = new TerraformVariable(this, 'hosted_zone_id', { type: 'string', description: 'The Route 53 hosted zone of example.com: the stack creates the front door\'s record' });
    const privateSubnets = new TerraformVariable(this, 'private_subnet_ids', {
      type: 'list(string)',
      description: 'Private subnets in three Availability Zones (with a NAT gateway for HTTPS egress)',
    });
    const artifact = ReleaseArtifact.fromS3(
      { bucket: 'example-releases', key: 'orders-api/v1.0.0/orders-api' },
      options.artifactSha256 ?? FLEET_RELEASE_SHA256,
    );

    // A release changes the artifact: a new launch template version rolls through the group.
    this.api = new HardenedGoService(this, 'Api', {
      serviceName: 'orders-api',
      subnetIds: privateSubnets.listValue,
      artifact,
      environment: { APP_ENV: 'production' },
      // Read by the service from $CREDENTIALS_DIRECTORY/db_password; only the secret's name is in the stack.
      secrets: { db_password: ServiceSecret.fromSecretsManager('orders-api/db', { jsonField: 'password' }), ...options.moreSecrets },
      minCapacity: 3,
      maxCapacity: 9,
      desiredCapacity: options.desiredCapacity,
      schedules: options.schedules,
    });

    this.frontDoor = new NginxFrontDoor(this, 'FrontDoor', {
      // A group of one: a change boots the successor beside it, which takes the Elastic IP once it serves.
      subnetIds: publicSubnets.listValue,
      upstreams: [this.api],
      domainNames: ['api.example.com'],
      hostedZoneId: zone.stringValue,
      certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }),
      rateLimitPerSecond: 50,
      responseHeaders: options.responseHeaders,
    });

    // Metrics, logs and alerts, with a monitoring host in the first private subnet.
    this.observability = new ObservabilityStack(this, 'Observability', {
      hosts: [this.api, ...this.frontDoor.hosts],
      monitoringHost: true,
      subnetId: Fn.element(privateSubnets.listValue, 0),
      alarmEmail: 'oncall@example.com',
    });

    new TerraformOutput(this, 'front_door_public_ip', { value: this.frontDoor.publicIp, description: 'Point api.example.com here (an Elastic IP: it moves to a replacement only once that one serves)' });
    new TerraformOutput(this, 'api_internal_address', { value: this.api.loadBalancer!.loadBalancer.dnsName });
  }
}
