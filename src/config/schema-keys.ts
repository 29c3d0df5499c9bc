/** The keys a zod schema allows at a given path: the candidates for "did you mean". */
import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  valueType?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  getter?: () => z.ZodType;
}

const def = (s: z.ZodType): Def => s._zod.def;

/** Strips wrappers that do not change the shape of the input. */
function unwrap(s: z.ZodType): z.ZodType[] {
  const d = def(s);
  const inner = d.innerType ?? (d.type === 'pipe' ? d.in : undefined) ?? (d.type === 'lazy' ? d.getter?.() : undefined);
  if (inner) return unwrap(inner);
  if (d.type === 'union') return (d.options ?? []).flatMap(unwrap);
  return [s];
}

function child(s: z.ZodType, seg: PropertyKey): z.ZodType[] {
  return unwrap(s).flatMap((u) => {
    const d = def(u);
    if (d.type === 'object') return d.shape?.[String(seg)] ? [d.shape[String(seg)]!] : [];
    if (d.type === 'array') return d.element ? [d.element] : [];
    if (d.type === 'record') return d.valueType ? [d.valueType] : [];
    return [];
  });
}

export function knownKeys(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let level = [schema];
  for (const seg of path) level = level.flatMap((s) => child(s, seg));
  const keys = level.flatMap(unwrap).flatMap((s) => Object.keys(def(s).type === 'object' ? (def(s).shape ?? {}) : {}));
  return [...new Set(keys)];
}
