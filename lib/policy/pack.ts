/** The rules of the policy pack, in report order. Pure. */
import { PolicyRule } from './rule';
import { NO_ADMIN_PORTS_FROM_WORLD } from './rules/admin-ports';
import { ENCRYPTED_VOLUMES } from './rules/encrypted-volumes';
import { HTTP_LISTENER_REDIRECTS } from './rules/http-redirect';
import { NO_IAM_WILDCARDS } from './rules/iam-wildcards';
import { IMDSV2_REQUIRED } from './rules/imdsv2';
import { PUBLIC_IP_HAS_EIP } from './rules/public-ip-eip';
import { USER_DATA_SIZE } from './rules/user-data-size';

export const POLICY_RULES: readonly PolicyRule[] = [
  IMDSV2_REQUIRED, ENCRYPTED_VOLUMES, NO_ADMIN_PORTS_FROM_WORLD, NO_IAM_WILDCARDS, USER_DATA_SIZE, PUBLIC_IP_HAS_EIP, HTTP_LISTENER_REDIRECTS,
];
