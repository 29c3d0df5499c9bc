/**
 * Runtime check of real API answers against the HTTP contract (dashboard/src/api-contract.ts) with the
 * TypeScript compiler itself, so the shapes exist only once, as the contract's types: each answer is written
 * as a literal `<json> satisfies C.<Type>` into a virtual source file, and that file is type-checked with the
 * dashboard's own compiler options. A missing field, a wrong type, a value outside a union or a field the
 * contract does not know (excess-property check of object literals, at every depth) is a diagnostic.
 */
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import type * as C from '../../dashboard/src/api-contract.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CONTRACT = join(ROOT, 'dashboard', 'src', 'api-contract.ts');
/** Never written: the compiler host below serves it from memory. */
const VIRTUAL = join(ROOT, 'test', 'http', '__api_answers__.ts');

/**
 * The contract types answers are checked against. Each entry names a real export (a rename in the contract
 * breaks this file), so a test cannot check against a type that does not exist.
 */
interface ContractTypes {
  OverviewResponse: C.OverviewResponse;
  UplinkTrafficResponse: C.UplinkTrafficResponse;
  InterfaceTrafficResponse: C.InterfaceTrafficResponse;
  InterfaceErrorsResponse: C.InterfaceErrorsResponse;
  SitesResponse: C.SitesResponse;
  SiteDetailResponse: C.SiteDetailResponse;
  SitePingResponse: C.SitePingResponse;
  SiteOpticalResponse: C.SiteOpticalResponse;
  ServersResponse: C.ServersResponse;
  DeviceInventoryResponse: C.DeviceInventoryResponse;
  DeviceResponse: C.DeviceResponse;
  FibresResponse: C.FibresResponse;
  ProblemsResponse: C.ProblemsResponse;
  AlertsResponse: C.AlertsResponse;
  AlertRulesResponse: C.AlertRulesResponse;
  AlertHistoryResponse: C.AlertHistoryResponse;
  ReceiversResponse: C.ReceiversResponse;
  SilencesResponse: C.SilencesResponse;
  SilenceCreatedResponse: C.SilenceCreatedResponse;
  OkResponse: C.OkResponse;
  AlertAckResponse: C.AlertAckResponse;
  ErrorResponse: C.ErrorResponse;
  ResultEvent: C.ResultEvent;
  AvailabilityReportResponse: C.AvailabilityReportResponse;
  UplinkReportResponse: C.UplinkReportResponse;
  FlowTopResponse: C.FlowTopResponse;
}
export type ContractType = keyof ContractTypes;

export interface Answer {
  /** What the answer was (shown with its diagnostics), e.g. `GET /sites/so-tttt`. */
  label: string;
  type: ContractType;
  body: unknown;
}

function dashboardOptions(): ts.CompilerOptions {
  const file = join(ROOT, 'dashboard', 'tsconfig.json');
  const cfg = ts.readConfigFile(file, (p) => ts.sys.readFile(p));
  if (cfg.error) throw new Error(ts.flattenDiagnosticMessageText(cfg.error.messageText, '\n'));
  const parsed = ts.parseJsonConfigFileContent(cfg.config, ts.sys, dirname(file));
  // The virtual file sits outside the dashboard's rootDir; nothing is emitted anyway.
  const { rootDir: _rootDir, outDir: _outDir, ...options } = parsed.options;
  return { ...options, noEmit: true };
}

/** Type-check every answer against its contract type; the diagnostics of each answer, by label (empty: it conforms). */
export function checkAnswers(answers: Answer[]): Map<string, string[]> {
  const spec = './' + relative(dirname(VIRTUAL), CONTRACT).replace(/\\/g, '/').replace(/\.ts$/, '.js');
  // One answer per line, so a diagnostic's line says whose it is.
  const lines = [`import type * as C from '${spec}';`, ...answers.map((a, i) => `export const a${i} = (${JSON.stringify(a.body)}) satisfies C.${a.type};`)];
  const source = lines.join('\n');
  const options = dashboardOptions();
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, ...rest) => (resolve(name) === VIRTUAL ? ts.createSourceFile(name, source, lang) : getSourceFile(name, lang, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => resolve(name) === VIRTUAL || fileExists(name);
  const program = ts.createProgram([VIRTUAL], options, host);
  const out = new Map(answers.map((a) => [a.label, [] as string[]]));
  const file = program.getSourceFile(VIRTUAL)!;
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (d.file !== file || d.start === undefined) throw new Error(`the contract itself does not compile: ${d.file?.fileName ?? ''}: ${text}`);
    const line = file.getLineAndCharacterOfPosition(d.start).line;
    const a = answers[line - 1];
    if (!a) throw new Error(`diagnostic outside the answers: ${text}`);
    out.get(a.label)!.push(text.slice(0, 2000));
  }
  return out;
}
