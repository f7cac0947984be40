/** EC2's limit on user data and what a host's user data comes to against it. Pure. */
import { gzipSync } from 'node:zlib';

/** EC2's limit on user data, counted on the raw (gzip-compressed) bytes before base64. */
export const USER_DATA_LIMIT_BYTES = 16384;

/** The most gzip can make of `n` bytes: zlib's deflateBound plus the gzip header and trailer. */
export function gzipBoundBytes(n: number): number {
  return n + (n >> 12) + (n >> 14) + (n >> 25) + 7 + 18;
}

/** The user data's size gzipped when it is over EC2's limit, else undefined. */
export function gzipBytesOverLimit(mime: string): number | undefined {
  // Text within zlib's bound needs no compressing to know; else the fastest level compresses worst: under the limit there, under it at any level.
  if (gzipBoundBytes(Buffer.byteLength(mime)) <= USER_DATA_LIMIT_BYTES || gzipSync(mime, { level: 1 }).length <= USER_DATA_LIMIT_BYTES) return undefined;
  const bytes = gzipSync(mime).length;
  return bytes > USER_DATA_LIMIT_BYTES ? bytes : undefined;
}
