/** Where a front door's TLS certificate comes from (GUIDANCE N5). A value object. Pure. */

export interface LetsEncryptOptions {
  /** Contact address registered with Let's Encrypt. */
  readonly email: string;
  /** Use the staging endpoint (untrusted certificates, generous rate limits). @default false */
  readonly staging?: boolean;
}

export interface SsmCertificateOptions {
  /** Parameter holding the PEM certificate chain. */
  readonly certificateParameterName: string;
  /** SecureString parameter holding the PEM private key. */
  readonly privateKeyParameterName: string;
  /** Customer-managed KMS key of the SecureString. @default - the AWS-managed aws/ssm key */
  readonly kmsKeyArn?: string;
}

export interface SecretsManagerCertificateOptions {
  /** Secret name or ARN; its SecretString is JSON with `certificate` and `privateKey` (PEM). */
  readonly secretId: string;
  /** Customer-managed KMS key of the secret. @default - the AWS-managed aws/secretsmanager key */
  readonly kmsKeyArn?: string;
}

export class CertificateSource {
  /** Let's Encrypt through certbot's webroot plugin, renewed by the distribution's certbot timer. */
  public static letsEncrypt(options: LetsEncryptOptions): CertificateSource {
    return new CertificateSource('letsencrypt', options);
  }
  /** Your own certificate from SSM Parameter Store, fetched at boot and daily with a grant on exactly these parameters. */
  public static fromSsmParameters(options: SsmCertificateOptions): CertificateSource {
    return new CertificateSource('ssm', options);
  }
  /** Your own certificate from Secrets Manager, fetched at boot and daily with a grant on exactly this secret. */
  public static fromSecretsManager(options: SecretsManagerCertificateOptions): CertificateSource {
    return new CertificateSource('secretsmanager', options);
  }

  private constructor(
    public readonly kind: 'letsencrypt' | 'ssm' | 'secretsmanager',
    public readonly options: LetsEncryptOptions | SsmCertificateOptions | SecretsManagerCertificateOptions,
  ) {}
}
