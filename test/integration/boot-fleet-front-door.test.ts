// The boot proof of fleet/FrontDoor: it keeps its certificate in Secrets Manager and boots as a
// replacement would, here with a stored certificate whose chain is broken, which it must refuse;
// it reads its log credential; it is the launch template of a group of one, whose instance claims
// the Elastic IP and completes its launch hook after its checks (see boot-proof.ts).
import { describeBootProof } from './boot-proof';

describeBootProof({ stack: 'fleet', host: 'FrontDoor', goService: false, frontDoor: true, poisonedCertificate: true, logCredential: true, claimsAddress: true });
