/** Props with their feature's defaults applied. Pure. */

/** `P` where every prop that has a default is set: the user's value, or the default. */
export type WithDefaults<P, D> = P & { readonly [K in keyof D]-?: K extends keyof P ? Exclude<P[K], undefined> : Widen<D[K]> };

/** A default's type as a prop has it (`true` → boolean, `"1G"` → string). */
type Widen<T> = T extends boolean ? boolean : T extends number ? number : T extends string ? string : T;

/** The props with `defaults` under them: a prop the user set (anything but undefined) wins. */
export function withDefaults<P extends object, D extends object>(props: P, defaults: D): WithDefaults<P, D> {
  const out: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(props)) if (value !== undefined) out[key] = value;
  return out as WithDefaults<P, D>;
}
