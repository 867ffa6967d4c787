import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';

type Read = (path: string) => string;

const CPU_MAX = '/sys/fs/cgroup/cpu.max';
/** cgroup v1 mounts the cpu controller under either name. */
const V1_DIRS = ['/sys/fs/cgroup/cpu', '/sys/fs/cgroup/cpu,cpuacct'];

/**
 * The container's CPU quota in cores (quota / period; 1.5 for "150000 100000"), or undefined when there is none.
 * cgroup v2's `cpu.max` ("max 100000" is no quota), then v1's `cpu.cfs_quota_us` (-1 is no quota).
 */
export function cgroupCpuQuota(read: Read = (p) => readFileSync(p, 'utf8')): number | undefined {
  const v2 = attempt(read, CPU_MAX);
  if (v2 !== undefined) {
    const [quota, period = '100000'] = v2.split(/\s+/);
    return quota === 'max' ? undefined : cores(Number(quota), Number(period));
  }
  for (const dir of V1_DIRS) {
    const quota = attempt(read, `${dir}/cpu.cfs_quota_us`);
    if (quota === undefined) continue;
    return cores(Number(quota), Number(attempt(read, `${dir}/cpu.cfs_period_us`) ?? '100000'));
  }
  return undefined;
}

/**
 * The cores this process may use: Node's `availableParallelism()` (the CPU affinity mask) bounded by the cgroup's
 * quota, rounded down — a thread more than the quota only gets throttled — and at least 1.
 */
export function usableCores(
  read: Read = (p) => readFileSync(p, 'utf8'),
  parallelism: number = availableParallelism(),
): number {
  const quota = cgroupCpuQuota(read);
  const bound = quota === undefined ? parallelism : Math.min(parallelism, Math.floor(quota));
  return Math.max(1, bound);
}

function attempt(read: Read, path: string): string | undefined {
  try {
    return read(path).trim();
  } catch {
    return undefined;
  }
}

function cores(quota: number, period: number): number | undefined {
  return Number.isFinite(quota) && quota > 0 && Number.isFinite(period) && period > 0 ? quota / period : undefined;
}
