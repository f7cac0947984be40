/**
 * TLS policy as versioned data (Mozilla server-side TLS guidelines 5.7). The intermediate suites
 * are the AEAD-only ECDHE ones; Mozilla's DHE suites are left out so no dhparam file is needed.
 */
export type TlsProfileName = 'intermediate' | 'modern';

export interface TlsProfile {
  readonly name: TlsProfileName;
  readonly protocols: readonly string[];
  /** OpenSSL cipher string for TLS 1.2 (TLS 1.3 suites are OpenSSL's defaults, all AEAD). */
  readonly ciphers?: string;
  readonly curves: string;
}

export const MOZILLA_GUIDELINE_VERSION = '5.7';

export const TLS_PROFILES: Readonly<Record<TlsProfileName, TlsProfile>> = {
  intermediate: {
    name: 'intermediate',
    protocols: ['TLSv1.2', 'TLSv1.3'],
    ciphers: [
      'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
    ].join(':'),
    curves: 'X25519:prime256v1:secp384r1',
  },
  modern: {
    name: 'modern',
    protocols: ['TLSv1.3'],
    curves: 'X25519:prime256v1:secp384r1',
  },
};
