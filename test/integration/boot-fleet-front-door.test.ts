// The boot proof of fleet/FrontDoor: it keeps its certificate in Secrets Manager, so it boots as a replacement would (see boot-proof.ts).
import { describeBootProof } from './boot-proof';

describeBootProof({ stack: 'fleet', host: 'FrontDoor', goService: false, frontDoor: true });
