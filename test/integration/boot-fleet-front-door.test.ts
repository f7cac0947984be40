// The boot proof of fleet/FrontDoor: it keeps its certificate in Secrets Manager and boots as a
// replacement would, here with a stored certificate whose chain is broken, which it must refuse;
// it reads its log credential (see boot-proof.ts).
import { describeBootProof } from './boot-proof';

describeBootProof({ stack: 'fleet', host: 'FrontDoor', goService: false, frontDoor: true, poisonedCertificate: true, logCredential: true });
