/**
 * The most events in any span of `windowMs`, an event at t counting until t + windowMs, as
 * the sandbox's strict window counts them: what tests and the benchmark compare with a limit.
 */
export function busiestWindow(times: readonly number[], windowMs: number, weight = 1): number {
  const t = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most * weight;
}
