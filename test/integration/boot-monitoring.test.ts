// The boot proof of fleet's monitoring host: its own user data with its data volume as a third disk; Loki and Grafana are
// not in Debian (empty stand-ins), so what is proven of them is what the library does around them (see boot-proof.ts).
import { describeBootProof } from './boot-proof';

describeBootProof({ stack: 'fleet', host: 'Observability_Monitoring', goService: false, frontDoor: false, monitoring: true });
