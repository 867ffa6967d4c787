import { describe, expect, it } from 'vitest';
import { cgroupCpuQuota, defaultJobs, usableCores } from '../../src/config/cgroup-cpu.ts';

/** A filesystem of these files only: reading any other path fails as on a host without that cgroup file. */
const files =
  (map: Readonly<Record<string, string>>) =>
  (path: string): string => {
    const text = map[path];
    if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    return text;
  };

describe("replay's default --jobs: the cores the process may use", () => {
  it('reads the quota of cgroup v2, then v1 (under either mount name), and their ways of saying "no quota"', () => {
    expect(cgroupCpuQuota(files({ '/sys/fs/cgroup/cpu.max': '150000 100000\n' }))).toBe(1.5);
    expect(cgroupCpuQuota(files({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' }))).toBeUndefined();
    const v1 = (quota: string, dir = '/sys/fs/cgroup/cpu') =>
      files({ [`${dir}/cpu.cfs_quota_us`]: quota, [`${dir}/cpu.cfs_period_us`]: '50000\n' });
    expect(cgroupCpuQuota(v1('200000\n'))).toBe(4);
    expect(cgroupCpuQuota(v1('100000\n', '/sys/fs/cgroup/cpu,cpuacct'))).toBe(2);
    expect(cgroupCpuQuota(v1('-1\n'))).toBeUndefined();
    expect(cgroupCpuQuota(files({}))).toBeUndefined();
  });

  it('bounds the CPUs Node may use by the quota, rounded down, and is never below 1', () => {
    const quota = (q: string) => files({ '/sys/fs/cgroup/cpu.max': q });
    expect(usableCores(quota('max 100000'), 8)).toBe(8);
    expect(usableCores(quota('250000 100000'), 8)).toBe(2);
    expect(usableCores(quota('800000 100000'), 4)).toBe(4);
    expect(usableCores(quota('50000 100000'), 8)).toBe(1);
    expect(usableCores(files({}), 3)).toBe(3);
  });

  it('no more threads than three quarters of the memory limit holds, each as large as the loaded process', () => {
    const MIB = 1024 * 1024;
    expect(defaultJobs(4, undefined, 180 * MIB)).toBe(4);
    expect(defaultJobs(4, 512 * MIB, 180 * MIB)).toBe(2);
    expect(defaultJobs(4, 4096 * MIB, 180 * MIB)).toBe(4);
    expect(defaultJobs(8, 200 * MIB, 180 * MIB)).toBe(1);
  });
});
