/**
 * Security-group intent. `a.connections.allowFrom(b, Port.tcp(8080))` creates one standalone,
 * described `aws_vpc_security_group_ingress_rule` on A (and the matching egress rule on B when B
 * is a host of ours), and records the rule so A's firewall (UFW) admits the same traffic.
 */
import { Construct } from 'constructs';
import { IPeer, Peer, Port } from './port';
import { reportInput } from '../input/report';
import { PropChecks } from '../input/prop-checks';
import { cidrProblem } from '../input/validators';
import { VpcSecurityGroupEgressRule, VpcSecurityGroupIngressRule } from '../private/aws';
import { Token } from '../private/cdktf';

/** Anything with connections: hosts, front doors, monitoring hosts. */
export interface IConnectable {
  readonly connections: Connections;
}

export interface ConnectionRule {
  readonly peer: IPeer;
  readonly port: Port;
  readonly description: string;
}

function isConnectable(x: IPeer | IConnectable): x is IConnectable {
  return (x as IConnectable).connections instanceof Connections;
}

function ruleId(direction: 'Ingress' | 'Egress', port: Port, peer: IPeer): string {
  const ports = port.fromPort === port.toPort ? `${port.fromPort}` : `${port.fromPort}-${port.toPort}`;
  return `${direction}-${port.protocol}${ports}-${direction === 'Ingress' ? 'from' : 'to'}-${peer.uniqueId}`;
}

export class Connections {
  private readonly ingress = new Map<string, ConnectionRule>();
  private readonly egress = new Map<string, ConnectionRule>();

  constructor(
    /** Where the rule resources are created. */
    private readonly scope: Construct,
    /** The security group's ID (a Terraform reference). */
    public readonly securityGroupId: string,
    /** Short stable name of the owner, used in peer construct IDs and descriptions. */
    public readonly name: string,
    /** Where the group's members' traffic comes from (for other hosts' UFW): CIDRs, may be references. */
    private readonly addresses?: () => readonly string[],
  ) {}

  /** This group as a peer of other rules. */
  public get peer(): IPeer {
    return Peer.securityGroupId(this.securityGroupId, this.name, this.addresses?.());
  }

  public get ingressRules(): readonly ConnectionRule[] {
    return [...this.ingress.values()];
  }

  public get egressRules(): readonly ConnectionRule[] {
    return [...this.egress.values()];
  }

  /** Admit `port` from `other`; if `other` is one of ours, it also gets the egress rule. */
  public allowFrom(other: IPeer | IConnectable, port: Port, description?: string): void {
    const peer = isConnectable(other) ? other.connections.peer : other;
    this.addIngress(peer, port, description ?? `${port} from ${peer.uniqueId}`);
    if (isConnectable(other)) other.connections.addEgress(this.peer, port, description ?? `${port} to ${this.name}`);
  }

  /** Allow traffic to `other` on `port`; if `other` is one of ours, it also gets the ingress rule. */
  public allowTo(other: IPeer | IConnectable, port: Port, description?: string): void {
    const peer = isConnectable(other) ? other.connections.peer : other;
    this.addEgress(peer, port, description ?? `${port} to ${peer.uniqueId}`);
    if (isConnectable(other)) other.connections.addIngress(this.peer, port, description ?? `${port} from ${this.name}`);
  }

  /** False (and the failures reported at synth) when the rule cannot be created. */
  private checkPeer(peer: IPeer, port: Port): boolean {
    const checks = new PropChecks();
    for (const [cidr, family] of [[peer.cidrIpv4, 4], [peer.cidrIpv6, 6]] as const) {
      if (cidr === undefined || Token.isUnresolved(cidr)) continue;
      const problem = cidrProblem(cidr, family);
      if (problem) checks.fail('peer', cidr, problem.problem, problem.fix);
    }
    // Port 0 alone is no port (a rule for it opens nothing a service listens on); a range may start there.
    if ([port.fromPort, port.toPort].some((p) => !Number.isInteger(p) || p < 0 || p > 65535) || port.toPort === 0) {
      checks.fail('port', String(port), 'is outside 1–65535', 'use a port between 1 and 65535');
    }
    if (port.fromPort > port.toPort) checks.fail('port', String(port), 'starts after it ends', 'give the lower port first');
    reportInput(this.scope, { failures: checks.all });
    return checks.all.length === 0;
  }

  private addIngress(peer: IPeer, port: Port, description: string): void {
    const id = ruleId('Ingress', port, peer);
    if (this.ingress.has(id)) return;
    if (!this.checkPeer(peer, port)) return;
    this.ingress.set(id, { peer, port, description });
    new VpcSecurityGroupIngressRule(this.scope, id, {
      securityGroupId: this.securityGroupId,
      ipProtocol: port.protocol,
      fromPort: port.fromPort,
      toPort: port.toPort,
      cidrIpv4: peer.cidrIpv4,
      cidrIpv6: peer.cidrIpv6,
      referencedSecurityGroupId: peer.securityGroupId,
      description,
    });
  }

  private addEgress(peer: IPeer, port: Port, description: string): void {
    const id = ruleId('Egress', port, peer);
    if (this.egress.has(id)) return;
    if (!this.checkPeer(peer, port)) return;
    this.egress.set(id, { peer, port, description });
    new VpcSecurityGroupEgressRule(this.scope, id, {
      securityGroupId: this.securityGroupId,
      ipProtocol: port.protocol,
      fromPort: port.fromPort,
      toPort: port.toPort,
      cidrIpv4: peer.cidrIpv4,
      cidrIpv6: peer.cidrIpv6,
      referencedSecurityGroupId: peer.securityGroupId,
      description,
    });
  }
}
