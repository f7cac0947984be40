// The boot proof of fleet/Api: the Auto Scaling group's launch-template user data; it reads its log credential, and its
// service gets its database password as a systemd credential and a rotated one after a refresh (see boot-proof.ts).
import { describeBootProof } from './boot-proof';

describeBootProof({ stack: 'fleet', host: 'Api', goService: true, frontDoor: false, logCredential: true, secret: true });
