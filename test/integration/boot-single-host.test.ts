// The boot proof of single-host/Api (see boot-proof.ts).
import { describeBootProof } from './boot-proof';

describeBootProof({ stack: 'single-host', host: 'Api', goService: true, frontDoor: true });
