/**
 * The MIME multipart document the `cloudinit_config` data source produces, byte for byte (the
 * provider writes it with Go's mime/multipart: CRLF line ends, header keys sorted, "Mime-Version"
 * canonicalised). Used to measure user data at synth time and to boot it locally. Pure.
 */
export interface MimePart {
  readonly contentType: string;
  readonly content: string;
  readonly filename?: string;
  readonly mergeType?: string;
}

/** The provider's default boundary. */
export const CLOUDINIT_BOUNDARY = 'MIMEBOUNDARY';

export function renderMultipart(parts: readonly MimePart[], boundary = CLOUDINIT_BOUNDARY): string {
  let out = `Content-Type: multipart/mixed; boundary="${boundary}"\nMIME-Version: 1.0\r\n\r\n`;
  parts.forEach((part, i) => {
    const headers: Array<[string, string]> = [
      ['Content-Transfer-Encoding', '7bit'],
      ['Content-Type', part.contentType],
      ['Mime-Version', '1.0'],
    ];
    if (part.filename) headers.push(['Content-Disposition', `attachment; filename="${part.filename}"`]);
    if (part.mergeType) headers.push(['X-Merge-Type', part.mergeType]);
    headers.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    out += `${i === 0 ? '' : '\r\n'}--${boundary}\r\n`;
    for (const [k, v] of headers) out += `${k}: ${v}\r\n`;
    out += '\r\n' + part.content;
  });
  out += `\r\n--${boundary}--\r\n`;
  return out;
}
