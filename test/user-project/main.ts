import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AwsProvider } from '@cdktf/provider-aws/lib/provider';
import { CertificateSource, GoHostPolicy, HardenedGoHost, NginxFrontDoor, ObservabilityStack, ReleaseArtifact } from 'cdktf-gohost';

export class ShopStack extends TerraformStack {
  public readonly api: HardenedGoHost;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, 'aws', { region: 'eu-west-1' });
    this.api = new HardenedGoHost(this, 'Api', {
      serviceName: 'shop-api',
      subnetId: 'subnet-0123456789abcdef0',
      associatePublicIpAddress: true,
      artifact: ReleaseArtifact.fromS3({ bucket: 'releases', key: 'shop-api/v1/shop-api' }, 'a'.repeat(64)),
    });
    new NginxFrontDoor(this, 'FrontDoor', { host: this.api, domainNames: ['shop.example.com'], certificate: CertificateSource.letsEncrypt({ email: 'ops@example.com' }) });
    new ObservabilityStack(this, 'Observability', { hosts: [this.api], monitoringHost: true, subnetId: 'subnet-0fedcba9876543210' });
    GoHostPolicy.applyTo(this);
  }
}

if (require.main === module) {
  const app = new App();
  new ShopStack(app, 'shop');
  app.synth();
}
