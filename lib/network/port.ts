/**
 * Networking intent: a Port (protocol + range) and a Peer (who is on the other side). The same
 * values drive the security group rules and UFW on the host. Pure: no cdktf imports.
 */
import { GoHostError } from '../errors';
import { PORTS } from '../facts';

export type Protocol = 'tcp' | 'udp';

export class Port {
  public static tcp(port: number): Port {
    return new Port('tcp', port, port);
  }
  public static tcpRange(from: number, to: number): Port {
    return new Port('tcp', from, to);
  }
  public static udpRange(from: number, to: number): Port {
    return new Port('udp', from, to);
  }
  public static udp(port: number): Port {
    return new Port('udp', port, port);
  }

  public static readonly SSH = Port.tcp(PORTS.ssh);
  public static readonly HTTP = Port.tcp(PORTS.http);
  public static readonly HTTPS = Port.tcp(PORTS.https);
  /** HTTP/3 (QUIC). */
  public static readonly HTTPS_UDP = Port.udp(443);
  public static readonly NODE_EXPORTER = Port.tcp(PORTS.nodeExporter);
  public static readonly NGINX_EXPORTER = Port.tcp(PORTS.nginxExporter);

  private constructor(
    public readonly protocol: Protocol,
    public readonly fromPort: number,
    public readonly toPort: number,
  ) {
    for (const p of [fromPort, toPort]) {
      if (typeof p !== 'number') throw new GoHostError(`Port.${protocol}: a port must be a number, not ${JSON.stringify(p)} (write Port.${protocol}(8080))`);
    }
  }

  /** `tcp/443` or `tcp/10000-10010`. */
  public toString(): string {
    return this.fromPort === this.toPort
      ? `${this.protocol}/${this.fromPort}`
      : `${this.protocol}/${this.fromPort}-${this.toPort}`;
  }

  public includes(port: number): boolean {
    return port >= this.fromPort && port <= this.toPort;
  }

  public overlaps(other: Port): boolean {
    return this.protocol === other.protocol && this.fromPort <= other.toPort && other.fromPort <= this.toPort;
  }
}

/** The other side of a rule. */
export interface IPeer {
  /** Stable, human-readable name used in construct IDs and rule descriptions. */
  readonly uniqueId: string;
  /** Set for address peers. */
  readonly cidrIpv4?: string;
  readonly cidrIpv6?: string;
  /** Set for security-group peers (may be a Terraform reference). */
  readonly securityGroupId?: string;
  /**
   * For security-group peers: the addresses the group's members use (CIDRs, may be Terraform
   * references), which the host firewall (UFW) admits for the group. Unset: the private ranges.
   */
  readonly addresses?: readonly string[];
}

function cidrId(cidr: string): string {
  if (typeof cidr !== 'string') throw new GoHostError(`Peer: a CIDR must be a string like "203.0.113.0/24", not ${JSON.stringify(cidr) ?? String(cidr)}`);
  return cidr.replace(/[^0-9a-fA-F]+/g, '-').replace(/-+$/, '');
}

export class Peer {
  public static ipv4(cidr: string): IPeer {
    return { uniqueId: `ipv4-${cidrId(cidr)}`, cidrIpv4: cidr };
  }
  public static ipv6(cidr: string): IPeer {
    return { uniqueId: `ipv6-${cidrId(cidr)}`, cidrIpv6: cidr };
  }
  /** Either family, by the shape of the CIDR. */
  public static cidr(cidr: string): IPeer {
    return cidr.includes(':') ? Peer.ipv6(cidr) : Peer.ipv4(cidr);
  }
  public static anyIpv4(): IPeer {
    return { uniqueId: 'anywhere-ipv4', cidrIpv4: '0.0.0.0/0' };
  }
  public static anyIpv6(): IPeer {
    return { uniqueId: 'anywhere-ipv6', cidrIpv6: '::/0' };
  }
  /**
   * A security group by ID; `name` keeps construct IDs stable when the ID is a reference;
   * `addresses`: where its members' traffic comes from, for UFW (see IPeer.addresses).
   */
  public static securityGroupId(id: string, name: string, addresses?: readonly string[]): IPeer {
    return addresses === undefined ? { uniqueId: `sg-${name}`, securityGroupId: id } : { uniqueId: `sg-${name}`, securityGroupId: id, addresses };
  }
}

/** Private address ranges (RFC 1918) — UFW's stand-in for a security group whose addresses are not known. */
export const PRIVATE_IPV4_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'] as const;
