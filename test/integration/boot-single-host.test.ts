// The boot proof of single-host/Api, the launch template of a Go service group of one carrying its front door: its
// instance claims the Elastic IP and completes its launch hook after its checks (see boot-proof.ts).
import { describeBootProof } from './boot-proof';

describeBootProof({ stack: 'single-host', host: 'Api', goService: true, frontDoor: true, claimsAddress: true });
