/** The one release artifact a host runs: a static Go binary, pinned by SHA-256 (GUIDANCE G2). Pure. */

export interface S3ArtifactLocation {
  readonly bucket: string;
  readonly key: string;
  /** @default - the instance's own region */
  readonly region?: string;
}

export class ReleaseArtifact {
  /**
   * An S3 object. The instance role gets `s3:GetObject` on exactly this object; the host signs
   * the download with its role credentials (curl --aws-sigv4, no AWS CLI needed).
   */
  public static fromS3(location: S3ArtifactLocation, sha256: string): ReleaseArtifact {
    return new ReleaseArtifact(`s3://${location.bucket}/${location.key}`, sha256, location);
  }
  /** An HTTPS URL (e.g. a GitHub release asset). */
  public static fromUrl(url: string, sha256: string): ReleaseArtifact {
    return new ReleaseArtifact(url, sha256);
  }

  private constructor(
    /** `https://…` or `s3://bucket/key`. */
    public readonly url: string,
    /** Lower-case hex SHA-256 of the binary. */
    public readonly sha256: string,
    public readonly s3?: S3ArtifactLocation,
  ) {}
}
