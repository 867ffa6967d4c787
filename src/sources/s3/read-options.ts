import { getHeapStatistics } from 'node:v8';
import type { Emit } from '../../observe/internal-events.ts';
import type { Config } from '../../config/types.ts';
import { cgroupMemoryLimit } from '../../config/cgroup.ts';
import { defaultBudgetBytes, MemoryBudget, mib } from '../memory-budget.ts';
import type { ReadOptions } from './fetch-object.ts';

const MIB = 1024 * 1024;

/** How the daemon reads S3 log files: one memory budget for all of them, sized now that the state is loaded. */
export function s3ReadOptions(config: Config, emit: Emit): Omit<ReadOptions, 'signal'> {
  const cgroupLimit = cgroupMemoryLimit();
  const heap = getHeapStatistics();
  const rss = process.memoryUsage.rss();
  const bytes =
    config.memoryBudgetMb === undefined
      ? defaultBudgetBytes({ cgroupLimit, rss, heapLimit: heap.heap_size_limit, heapUsed: heap.used_heap_size })
      : config.memoryBudgetMb * MIB;
  emit({
    type: 'MemoryBudget',
    memoryBudget: mib(bytes),
    from: config.memoryBudgetMb === undefined ? 'derived' : 'memoryBudgetMb',
    ...(cgroupLimit === undefined ? {} : { cgroupLimit: mib(cgroupLimit) }),
    heapLimit: mib(heap.heap_size_limit),
    rss: mib(rss),
    heapUsed: mib(heap.used_heap_size),
  });
  return {
    budget: new MemoryBudget(bytes),
    maxBytes: (config.maxLogFileMb ?? 512) * MIB,
    timeoutMs: config.s3BodyTimeoutMs ?? 10_000,
  };
}
