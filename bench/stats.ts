export interface SaturationResult {
  count: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

export interface RateResult {
  rate: number;
  count: number;
  p50Ms: number;
  p99Ms: number;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round(sorted[idx]! * 100) / 100;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
