/** Where one of the Go service's secrets is kept: Secrets Manager or SSM Parameter Store. */

export interface SecretsManagerSecretOptions {
  /** Deliver one field of a JSON secret (`{"password": "…"}`) instead of the whole string. @default - the whole SecretString */
  readonly jsonField?: string;
  /** The customer-managed KMS key the secret is encrypted with (the role may decrypt through Secrets Manager only). @default - the account's aws/secretsmanager key */
  readonly kmsKeyArn?: string;
  /**
   * Also put the value in this environment variable of the service. Off, the service reads it
   * from `$CREDENTIALS_DIRECTORY/<name>` alone; an environment variable is inherited by every
   * child process and shows in core dumps.
   * @default - no environment variable
   */
  readonly environmentVariable?: string;
}

export interface SsmSecretOptions {
  /** The customer-managed KMS key the SecureString is encrypted with. @default - the account's aws/ssm key */
  readonly kmsKeyArn?: string;
  /** Also put the value in this environment variable of the service (see SecretsManagerSecretOptions). @default - none */
  readonly environmentVariable?: string;
}

/**
 * A secret of the Go service, fetched on the host with the instance role and given to the
 * service as a systemd credential; only its name or ARN reaches user data and state.
 */
export class ServiceSecret {
  /** A Secrets Manager secret by name or ARN (a literal or a Terraform reference). */
  public static fromSecretsManager(secretId: string, options: SecretsManagerSecretOptions = {}): ServiceSecret {
    return new ServiceSecret('secretsmanager', secretId, options.jsonField, options.kmsKeyArn, options.environmentVariable);
  }

  /** An SSM SecureString (or String) parameter by name or ARN (a literal or a Terraform reference). */
  public static fromSsmParameter(parameterName: string, options: SsmSecretOptions = {}): ServiceSecret {
    return new ServiceSecret('ssm', parameterName, undefined, options.kmsKeyArn, options.environmentVariable);
  }

  private constructor(
    public readonly kind: 'secretsmanager' | 'ssm',
    /** Secret name or ARN, or parameter name or ARN. */
    public readonly id: string,
    public readonly jsonField?: string,
    public readonly kmsKeyArn?: string,
    public readonly environmentVariable?: string,
  ) {}
}
