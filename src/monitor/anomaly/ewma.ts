/**
 * Exponentially weighted mean and variance (West's incremental form). Recent values weigh
 * more, so a client's baseline follows slow changes in its own behaviour while a sudden
 * jump still stands out. `alpha` is the weight of the newest value.
 */
export class Ewma {
  mean = 0;
  variance = 0;
  count = 0;

  constructor(private readonly alpha: number) {}

  update(value: number): void {
    if (this.count === 0) {
      this.mean = value;
      this.variance = 0;
    } else {
      const diff = value - this.mean;
      const increment = this.alpha * diff;
      this.mean += increment;
      this.variance = (1 - this.alpha) * (this.variance + diff * increment);
    }
    this.count += 1;
  }

  get sd(): number {
    return Math.sqrt(this.variance);
  }
}

/** A set that forgets its oldest entries past `capacity`, so per-client memory stays bounded. */
export class BoundedSet {
  private readonly items = new Set<string>();
  constructor(private readonly capacity: number) {}

  has(value: string): boolean {
    return this.items.has(value);
  }

  add(value: string): void {
    if (this.items.has(value)) return;
    this.items.add(value);
    if (this.items.size > this.capacity) {
      const oldest = this.items.values().next();
      if (!oldest.done) this.items.delete(oldest.value);
    }
  }

  get size(): number {
    return this.items.size;
  }

  /** Up to `n` entries, for "usual" lists in alert messages. */
  sample(n: number): string[] {
    const out: string[] = [];
    for (const item of this.items) {
      if (out.length >= n) break;
      out.push(item);
    }
    return out;
  }
}

/** Round for display: `12.3`, `240`, `0.05`. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 100) return String(Math.round(value));
  if (abs >= 1) return String(Math.round(value * 10) / 10);
  return String(Number(value.toPrecision(2)));
}
