/**
 * Time hysteresis: a new value must be observed `cycles` times in a row before it replaces the current one,
 * so one lost burst of echoes or one dropped SNMP reply never flaps a site. The first observation is adopted
 * at once (there is no history to protect).
 */
export class Confirmed<T> {
  private pending: T | undefined;
  private seen = 0;

  constructor(
    public value: T,
    private readonly cycles: number,
  ) {}

  /** Feed one observation; true when it changed the confirmed value. */
  observe(v: T): boolean {
    if (v === this.value) {
      this.pending = undefined;
      this.seen = 0;
      return false;
    }
    this.seen = this.pending === v ? this.seen + 1 : 1;
    this.pending = v;
    if (this.seen < this.cycles) return false;
    this.value = v;
    this.pending = undefined;
    this.seen = 0;
    return true;
  }
}
