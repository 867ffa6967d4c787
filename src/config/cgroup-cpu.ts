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

/**
 * replay's default `--jobs`: the usable cores, and no more threads than the container's memory holds. Each thread
 * (the main one, each worker) holds the rules and states; `rssPerThread`, the process's RSS once they are loaded,
 * is an upper bound of what a worker adds (a worker shares the process's Node). Three quarters of the limit, so
 * that the files in flight and the output fit beside them: a 512-MB container replaying with a 10,000-key state
 * (~180 MB) gets 2 threads, not one per core and an OOM kill.
 */
export function defaultJobs(cores: number, memoryLimit: number | undefined, rssPerThread: number): number {
  if (memoryLimit === undefined || rssPerThread <= 0) return cores;
  return Math.max(1, Math.min(cores, Math.floor((0.75 * memoryLimit) / rssPerThread)));
}
