/** Which AMI a host boots (GUIDANCE G1). A value object; the construct turns it into a lookup. Pure. */
import { DistroName } from './distro';

export class MachineImage {
  /** Latest Canonical Ubuntu 24.04 LTS AMI, looked up by owner and name. */
  public static ubuntu2404(): MachineImage {
    return new MachineImage('ubuntu-24.04');
  }
  /** Latest Canonical Ubuntu 22.04 LTS AMI, looked up by owner and name. */
  public static ubuntu2204(): MachineImage {
    return new MachineImage('ubuntu-22.04');
  }
  /** Latest official Debian 13 AMI (the current stable), looked up by owner and name. */
  public static debian13(): MachineImage {
    return new MachineImage('debian-13');
  }
  /** Latest official Debian 12 AMI, looked up by owner and name. */
  public static debian12(): MachineImage {
    return new MachineImage('debian-12');
  }
  /** By name (`ubuntu-24.04`, `ubuntu-22.04`, `debian-13`, `debian-12`); an unknown name fails at synth. */
  public static fromDistro(name: string): MachineImage {
    return new MachineImage(name);
  }
  /**
   * A fixed AMI (e.g. your own golden image). `distro` says what it is built from, because the
   * host configuration differs per distribution (login user, nginx version). With
   * `architecture`, an instance type of the other architecture is refused at synth.
   */
  public static fromAmiId(amiId: string, distro: DistroName, architecture?: 'x86_64' | 'arm64'): MachineImage {
    return new MachineImage(distro, amiId, architecture);
  }

  private constructor(
    /** Validated at synth against the supported distributions. */
    public readonly distro: string,
    public readonly amiId?: string,
    /** The AMI's architecture, when known: checked against the instance type at synth. */
    public readonly architecture?: 'x86_64' | 'arm64',
  ) {}
}
