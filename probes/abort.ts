/** Why a signal aborted, as an Error (the scheduler aborts with a ProbeError or a RunCancelled). */
export const abortReason = (signal: AbortSignal): Error => (signal.reason instanceof Error ? signal.reason : new Error('aborted'));
