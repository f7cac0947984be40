/**
 * The public edge of a front-door group: an internet-facing Network Load Balancer with one Elastic
 * IP per subnet (stable addresses for DNS), TCP listeners on 80 and 443 so TLS stays in nginx, and
 * proxy protocol v2 so nginx sees each client's address. Health checks ask nginx itself, on a port
 * of its own, never the upstream: a backend outage must not take every front door out of service.
 */
import { Construct } from 'constructs';
import { Connections, IConnectable } from '../network/connections';
import { Peer, Port } from '../network/port';
import { DataAwsSubnet, Eip, Lb, LbTargetGroup, SecurityGroup } from '../private/aws';
import { tcpForward } from '../go-service/internal-load-balancer';

export interface PublicLoadBalancerProps {
  /** Public subnets, one per Availability Zone; each gets one Elastic IP. Known at synth. */
  readonly subnetIds: readonly string[];
  readonly vpcId: string;
  /** nginx's health port (plain HTTP, no proxy protocol) and path. */
  readonly healthCheckPort: number;
  readonly healthCheckPath: string;
  /** Seconds a deregistering front door keeps serving its open connections. */
  readonly deregistrationDelaySec: number;
  /** Short name for descriptions and name prefixes. */
  readonly name: string;
  readonly tags?: Record<string, string>;
}

export class PublicLoadBalancer extends Construct implements IConnectable {
  /** The load balancer's own group: the internet in on 80 and 443, out to the front doors only. */
  public readonly connections: Connections;
  public readonly loadBalancer: Lb;
  /** One per listener port (80, 443): the group registers its instances in both. */
  public readonly targetGroups: readonly LbTargetGroup[];
  /** One per subnet, in subnetIds order. */
  public readonly elasticIps: readonly Eip[];
  /** The subnets' CIDRs: where the load balancer's nodes (the only proxy-protocol senders) are. */
  public readonly nodeCidrs: readonly string[];
  private readonly props: PublicLoadBalancerProps;

  constructor(scope: Construct, id: string, props: PublicLoadBalancerProps) {
    super(scope, id);
    this.props = props;
    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      namePrefix: `${props.name}-nlb-`,
      description: `cdktf-gohost ${props.name} public load balancer: rules are standalone resources`,
      vpcId: props.vpcId,
      tags: props.tags,
      lifecycle: { createBeforeDestroy: true },
    });
    this.nodeCidrs = props.subnetIds.map((subnetId, i) => new DataAwsSubnet(this, `Subnet${i + 1}`, { id: subnetId }).cidrBlock);
    this.connections = new Connections(this, securityGroup.id, this.node.path.split('/').slice(1).join('-'), () => this.nodeCidrs);
    for (const peer of [Peer.anyIpv4()]) {
      this.connections.allowFrom(peer, Port.HTTP, 'HTTP (ACME and redirect)');
      this.connections.allowFrom(peer, Port.HTTPS, 'HTTPS');
    }

    this.elasticIps = props.subnetIds.map((_, i) => new Eip(this, `ElasticIp${i + 1}`, {
      domain: 'vpc',
      tags: { ...props.tags, Name: `${this.node.path.replace(/\//g, '-')}-${i + 1}` },
    }));
    this.loadBalancer = new Lb(this, 'LoadBalancer', {
      internal: false,
      loadBalancerType: 'network',
      subnetMapping: props.subnetIds.map((subnetId, i) => ({ subnetId, allocationId: this.elasticIps[i].allocationId })),
      securityGroups: [securityGroup.id],
      enableCrossZoneLoadBalancing: true,
      tags: props.tags,
    });
    // The client's address arrives in the proxy-protocol header; the load balancer's own as the
    // source keeps the front doors closed to everyone but it.
    this.targetGroups = [Port.HTTP, Port.HTTPS].map((port) => tcpForward(this, String(port.fromPort), {
      loadBalancerArn: this.loadBalancer.arn,
      port: port.fromPort,
      vpcId: props.vpcId,
      deregistrationDelaySec: props.deregistrationDelaySec,
      healthCheck: { path: props.healthCheckPath, port: String(props.healthCheckPort), matcher: '200' },
      proxyProtocolV2: true,
      tags: props.tags,
    }));
  }

  /** The front doors admit 80, 443 and the health port from the load balancer alone. */
  public admit(target: IConnectable): void {
    target.connections.allowFrom(this, Port.HTTP, 'HTTP from the public load balancer');
    target.connections.allowFrom(this, Port.HTTPS, 'HTTPS from the public load balancer');
    target.connections.allowFrom(this, Port.tcp(this.props.healthCheckPort), "the public load balancer's health checks");
  }
}
