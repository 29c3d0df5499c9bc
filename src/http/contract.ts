/**
 * The server's door to the HTTP API contract (dashboard/src/api-contract.ts, where it lives so that the
 * dashboard's compiler, `rootDir: src`, can include it too; see that file's header). Server modules
 * import the contract from here, so its odd path is written once.
 *
 * The contract cannot import server types (the dashboard's program would then pull in src/ and node
 * types), so the enums it spells out again are checked here against their sources, at compile time:
 * adding a site group, rule kind or receiver type to the config schema without adding it to the contract
 * fails `tsc`.
 */
import type { AlertReceiverConfig, AlertRuleConfig, SiteConfig } from '../config/schema.js';
import type { LoadedConfig } from '../config/model.js';
import type { Severity as AlertSeverity } from '../alerts/types.js';
import type { ReloadStatus } from '../self-metrics.js';
import type { RangeResult } from '../store/types.js';
import type { TargetRole as ServerTargetRole } from '../types.js';
import type * as C from '../../dashboard/src/api-contract.js';

export type * from '../../dashboard/src/api-contract.js';

/** True when A and B are the same type (not merely assignable one way). */
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type Check<T extends true> = T;

/** Each line fails to compile when the contract and the server's own type of that field part ways. @public a compile-time check, exported so that it is kept */
export type ContractChecks = [
  Check<Same<C.SiteGroup, SiteConfig['group']>>,
  Check<Same<C.AlertRuleKind, AlertRuleConfig['kind']>>,
  Check<Same<C.ReceiverStatus['type'], AlertReceiverConfig['type']>>,
  Check<Same<C.Severity, AlertSeverity>>,
  Check<Same<C.TargetRole, ServerTargetRole>>,
  Check<Same<C.Resolution, RangeResult['resolution']>>,
  Check<Same<C.OverviewResponse['language'], LoadedConfig['server']['language']>>,
  Check<Same<C.ReloadTrigger, NonNullable<ReloadStatus['trigger']>>>,
];
