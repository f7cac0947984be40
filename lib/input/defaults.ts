/** Props with their feature's defaults applied. Pure. */

/** `P` where every prop that has a default is set: the user's value, or the default. */
export type WithDefaults<P, D> = Omit<P, keyof D> & { readonly [K in keyof D]-?: K extends keyof P ? Exclude<P[K], undefined> : D[K] };

/** The props with `defaults` under them: a prop the user set (anything but undefined) wins. */
export function withDefaults<P extends object, D extends object>(props: P, defaults: D): WithDefaults<P, D> {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(props)) if (value !== undefined) out[key] = value;
  return out as WithDefaults<P, D>;
}
