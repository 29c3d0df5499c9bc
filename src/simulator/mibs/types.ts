/**
 * How a MIB module is described to the agent wiring: scalars and tables whose values are computed on
 * request (the agent calls `get` only for the instance a request touches).
 */
import type { ValueType } from '../net-snmp.js';

/** A value as the tables produce it: Counter64 as bigint, OctetString as string (UTF-8) or Buffer, OID as dotted string. */
export type SnmpValue = number | bigint | string | Buffer;

export interface ScalarSpec {
  name: string;
  /** OID of the object (without the trailing .0). */
  oid: string;
  type: ValueType;
  get(wall: number): SnmpValue;
}

export interface ColumnSpec {
  number: number;
  name: string;
  type: ValueType;
  /** A not-accessible index column of this table (its value comes from the row's index). */
  index?: boolean;
}

export interface RowSpec {
  /** Index values in INDEX-clause order (integers): the instance suffix of the row's OIDs. */
  index: number[];
  get(column: number, wall: number): SnmpValue;
}

export interface TableSpec {
  name: string;
  /** OID of the table's entry (…Table.1). */
  oid: string;
  columns: ColumnSpec[];
  /** INDEX clause: local index columns by name, or columns of another table (`foreign`: its spec name). */
  index?: { columnName: string; foreign?: string }[];
  /** AUGMENTS another table (e.g. ifXTable augments ifTable). */
  augments?: string;
  rows: RowSpec[];
}

export interface MibModule {
  scalars: ScalarSpec[];
  tables: TableSpec[];
}
