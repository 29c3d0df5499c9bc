/**
 * Per-row fields of a profile table (see profile.ts): compiled once per profile, evaluated per row
 * against a view of the walked columns. A field can read another row of any walked column, which is how
 * lookups work (sensor → entPhysicalContainedIn → entAliasMappingIdentifier → ifIndex → ifName).
 */
import type { FieldSpec } from './profile.js';
import type { RawValue } from './walk.js';

export type FieldValue = string | number | undefined;
/** column OID → (row index → value); undefined when the column was not walked. */
export type ColumnView = (column: string) => ReadonlyMap<string, RawValue> | undefined;

/** A raw SNMP value as a field value: text for OCTET STRINGs and OIDs, numbers for numbers. */
export function rawToField(raw: RawValue | undefined): FieldValue {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === 'number') return raw;
  if (typeof raw === 'bigint') return Number(raw);
  if (Buffer.isBuffer(raw)) return raw.toString('utf8').replace(/\0+$/, '');
  return raw;
}

/** A raw SNMP value as label text: '' when there is none. */
export function rawToLabel(raw: RawValue | undefined): string {
  const v = rawToField(raw);
  return v === undefined ? '' : String(v);
}

function toNumber(v: FieldValue | RawValue): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  const n = Number(Buffer.isBuffer(v) ? v.toString('latin1') : v);
  return Number.isFinite(n) ? n : undefined;
}

type Template = (string | { ref: string })[];

function parseTemplate(t: string): Template {
  const out: Template = [];
  let last = 0;
  for (const m of t.matchAll(/\{([a-z0-9_]+)\}/g)) {
    if (m.index > last) out.push(t.slice(last, m.index));
    out.push({ ref: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < t.length) out.push(t.slice(last));
  return out;
}

/** Evaluation context of one row. Field values are memoised per row. */
export class Row {
  private arcs?: string[];
  private readonly memo = new Map<string, FieldValue>();
  private readonly active = new Set<string>();

  constructor(
    readonly index: string,
    private readonly fields: FieldSet,
    private readonly view: ColumnView,
  ) {}

  arc(n: number): string | undefined {
    this.arcs ??= this.index.split('.');
    return this.arcs[n - 1];
  }

  /** A field's value; undefined if it has none (or is unknown, or refers to itself). */
  get(name: string): FieldValue {
    if (this.memo.has(name)) return this.memo.get(name);
    const spec = this.fields.specs[name];
    if (!spec || this.active.has(name)) return undefined;
    this.active.add(name);
    const v = this.evaluate(spec);
    this.active.delete(name);
    this.memo.set(name, v);
    return v;
  }

  column(column: string, row = this.index): RawValue | undefined {
    return this.view(column)?.get(row);
  }

  /** Fill a template ({index}, {1}..., {field}); undefined if a placeholder has no value. */
  fill(template: Template): string | undefined {
    let s = '';
    for (const part of template) {
      if (typeof part === 'string') {
        s += part;
        continue;
      }
      const v = part.ref === 'index' ? this.index : /^\d+$/.test(part.ref) ? this.arc(Number(part.ref)) : this.get(part.ref);
      if (v === undefined || v === '') return undefined;
      s += String(v);
    }
    return s;
  }

  private evaluate(spec: FieldSpec): FieldValue {
    let v: FieldValue;
    if (spec.first_of) {
      for (const alt of spec.first_of) {
        v = this.evaluate(alt);
        if (v !== undefined) break;
      }
    } else if (spec.value !== undefined) {
      v = spec.value;
    } else if (spec.index_arc !== undefined) {
      v = this.arc(spec.index_arc);
    } else if (spec.any_below) {
      const { columns, value, ignore = [] } = spec.any_below;
      const hit = columns.some((c) => {
        const n = toNumber(this.column(c));
        return n !== undefined && !ignore.includes(n) && n < value;
      });
      v = hit ? spec.then : spec.else;
    } else if (spec.column) {
      const row = spec.row === undefined ? this.index : this.fill(this.fields.template(spec.row));
      v = row === undefined ? undefined : rawToField(this.column(spec.column, row));
    }
    if (v !== undefined && spec.oid_last_arc) {
      const s = String(v);
      v = s.slice(s.lastIndexOf('.') + 1);
    }
    if (v !== undefined && spec.nonzero && toNumber(v) === 0) v = undefined;
    if (v !== undefined && spec.max !== undefined && !((toNumber(v) ?? 0) <= spec.max)) v = undefined;
    if (v !== undefined && spec.multiply !== undefined) {
      const n = toNumber(v);
      v = n === undefined ? undefined : n * spec.multiply;
    }
    if (v !== undefined && spec.map) v = spec.map[String(v)];
    if (v !== undefined && spec.match) {
      const s = String(v);
      v = spec.match.find((m) => this.fields.regex(m.regex).test(s))?.value;
    }
    if (v === undefined && spec.default !== undefined) v = spec.default;
    return v;
  }
}

/** A table's fields, with parsed templates and regexes cached. */
export class FieldSet {
  private readonly templates = new Map<string, Template>();
  private readonly regexes = new Map<string, RegExp>();

  constructor(readonly specs: Readonly<Record<string, FieldSpec>>) {}

  template(t: string): Template {
    let parsed = this.templates.get(t);
    if (!parsed) this.templates.set(t, (parsed = parseTemplate(t)));
    return parsed;
  }

  regex(r: string): RegExp {
    let re = this.regexes.get(r);
    if (!re) this.regexes.set(r, (re = new RegExp(r, 'i')));
    return re;
  }

  row(index: string, view: ColumnView): Row {
    return new Row(index, this, view);
  }

  /** Every column any field reads (the table's "slow" columns, unless a metric reads them too). */
  columns(): Set<string> {
    const out = new Set<string>();
    const visit = (s: FieldSpec) => {
      if (s.column) out.add(s.column);
      for (const c of s.any_below?.columns ?? []) out.add(c);
      for (const alt of s.first_of ?? []) visit(alt);
    };
    for (const s of Object.values(this.specs)) visit(s);
    return out;
  }
}

export function templateOf(t: string): Template {
  return parseTemplate(t);
}

export { toNumber };
