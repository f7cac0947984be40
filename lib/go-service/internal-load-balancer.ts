/**
 * An internal Network Load Balancer in front of a Go service: the stable address the front door
 * proxies to, whatever instances are behind it. NLB addresses are fixed per subnet for the life
 * of the load balancer, so nginx resolving the DNS name at start and reload stays correct while
 * instances come and go.
 */
import { Construct } from 'constructs';
import { Connections, IConnectable } from '../network/connections';
import { Port } from '../network/port';
import { Lb, LbListener, LbTargetGroup, LbTargetGroupAttachment, SecurityGroup, DataAwsVpc } from '../private/aws';

/** A TCP target group of instances behind `loadBalancerArn`'s listener on `port` (IDs `TargetGroup<suffix>`, `Listener<suffix>`). */
export function tcpForward(scope: Construct, suffix: string, o: {
  readonly loadBalancerArn: string;
  readonly port: number;
  readonly vpcId: string;
  readonly deregistrationDelaySec: number;
  readonly healthCheck: { readonly path: string; readonly port: string; readonly matcher: string };
  readonly proxyProtocolV2?: boolean;
  readonly tags?: Record<string, string>;
}): LbTargetGroup {
  const targetGroup = new LbTargetGroup(scope, `TargetGroup${suffix}`, {
    port: o.port,
    protocol: 'TCP',
    vpcId: o.vpcId,
    targetType: 'instance',
    // The load balancer's own address as the source keeps the instances' security-group reference to it valid.
    preserveClientIp: 'false',
    proxyProtocolV2: o.proxyProtocolV2,
    deregistrationDelay: String(o.deregistrationDelaySec),
    // Long-lived keep-alive connections are closed when the delay ends, not left to a dead target.
    connectionTermination: true,
    healthCheck: { enabled: true, protocol: 'HTTP', ...o.healthCheck, interval: 10, timeout: 5, healthyThreshold: 2, unhealthyThreshold: 2 },
    tags: o.tags,
    lifecycle: { createBeforeDestroy: true },
  });
  new LbListener(scope, `Listener${suffix}`, {
    loadBalancerArn: o.loadBalancerArn,
    port: o.port,
    protocol: 'TCP',
    defaultAction: [{ type: 'forward', targetGroupArn: targetGroup.arn }],
    tags: o.tags,
  });
  return targetGroup;
}

export interface InternalLoadBalancerProps {
  /** Subnets the load balancer has an address in (one per Availability Zone). */
  readonly subnetIds: readonly string[];
  readonly vpcId: string;
  /** The service's port: the listener's and the targets'. */
  readonly port: number;
  /** HTTP path the target group's health check requests. */
  readonly healthPath: string;
  /** Seconds a deregistering target keeps its open connections before they are closed. */
  readonly deregistrationDelaySec: number;
  /** The targets' security groups admit the port (traffic and health checks) from the load balancer's. */
  readonly targets: readonly IConnectable[];
  /** Short name for descriptions. */
  readonly name: string;
  readonly tags?: Record<string, string>;
}

export class InternalLoadBalancer extends Construct implements IConnectable {
  /** The load balancer's own security group: admit clients here (`lb.connections.allowFrom(frontDoor, port)`). */
  public readonly connections: Connections;
  public readonly loadBalancer: Lb;
  public readonly targetGroup: LbTargetGroup;
  public readonly port: number;

  constructor(scope: Construct, id: string, props: InternalLoadBalancerProps) {
    super(scope, id);
    this.port = props.port;
    const securityGroup = new SecurityGroup(this, 'SecurityGroup', {
      namePrefix: `${props.name}-nlb-`,
      description: `cdktf-gohost ${props.name} internal load balancer: rules are standalone resources`,
      vpcId: props.vpcId,
      tags: props.tags,
      lifecycle: { createBeforeDestroy: true },
    });
    // Its nodes' addresses are the VPC's, and the clients' addresses it preserves are too: the VPC's CIDR for the targets' UFW.
    let vpcCidr: string | undefined;
    this.connections = new Connections(this, securityGroup.id, this.node.path.split('/').slice(1).join('-'),
      () => [vpcCidr ??= new DataAwsVpc(this, 'Vpc', { id: props.vpcId }).cidrBlock]);
    // Traffic and health checks reach the instances from the load balancer's group only.
    for (const t of props.targets) t.connections.allowFrom(this, Port.tcp(props.port), `${props.name} from its load balancer (traffic and health checks)`);

    this.loadBalancer = new Lb(this, 'LoadBalancer', {
      internal: true,
      loadBalancerType: 'network',
      subnets: [...props.subnetIds],
      securityGroups: [securityGroup.id],
      enableCrossZoneLoadBalancing: true,
      tags: props.tags,
    });
    // The service reads the client from X-Forwarded-For.
    this.targetGroup = tcpForward(this, '', {
      loadBalancerArn: this.loadBalancer.arn,
      port: props.port,
      vpcId: props.vpcId,
      deregistrationDelaySec: props.deregistrationDelaySec,
      healthCheck: { path: props.healthPath, port: 'traffic-port', matcher: '200-399' },
      tags: props.tags,
    });
  }

  /** `host:port` of the listener: the stable upstream address. */
  public get address(): string {
    return `${this.loadBalancer.dnsName}:${this.port}`;
  }

  /** Registers one instance (single hosts put behind the load balancer). */
  public attachInstance(id: string, instanceId: string): void {
    new LbTargetGroupAttachment(this, id, { targetGroupArn: this.targetGroup.arn, targetId: instanceId, port: this.port });
  }
}
