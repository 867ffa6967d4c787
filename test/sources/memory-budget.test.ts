import { describe, expect, it } from 'vitest';
import { cgroupMemoryLimit } from '../../src/config/cgroup.ts';
import {
  defaultBudgetBytes,
  FALLBACK_BUDGET_BYTES,
  MemoryBudget,
  MemoryBudgetExceeded,
} from '../../src/sources/memory-budget.ts';

const MIB = 1024 * 1024;

describe('MemoryBudget', () => {
  it('grants leases while they fit, then first come, first served as leases are released', async () => {
    const budget = new MemoryBudget(10);
    const a = await budget.acquire(6);
    const order: string[] = [];
    const b = budget.acquire(6).then((l) => (order.push('b'), l));
    // Fits now, but waits behind b: a large file is not starved by small ones.
    const c = budget.acquire(1).then((l) => (order.push('c'), l));
    await new Promise((r) => setTimeout(r, 5));
    expect(order).toEqual([]);
    a.release();
    const [lb, lc] = await Promise.all([b, c]);
    expect(order).toEqual(['b', 'c']);
    expect(budget.inUse).toBe(7);
    lb.release();
    lc.release();
    lc.release(); // twice is harmless
    expect(budget.inUse).toBe(0);
  });

  it('grows a lease only into free room, never waiting', async () => {
    const budget = new MemoryBudget(10);
    const a = await budget.acquire(4);
    const b = await budget.acquire(4);
    expect(a.tryGrow(6)).toBe(true);
    expect(b.tryGrow(5)).toBe(false);
    expect([a.bytes, b.bytes, budget.inUse]).toEqual([6, 4, 10]);
    a.release();
    expect(b.tryGrow(5)).toBe(true);
    expect(a.tryGrow(1)).toBe(false); // a released lease holds nothing
  });

  it('refuses a lease larger than the whole budget, and gives up waiting on abort', async () => {
    const budget = new MemoryBudget(10);
    await expect(budget.acquire(11)).rejects.toBeInstanceOf(MemoryBudgetExceeded);
    const held = await budget.acquire(10);
    const stop = new AbortController();
    const waiting = budget.acquire(5, stop.signal);
    stop.abort(new Error('released at shutdown'));
    await expect(waiting).rejects.toThrow('released at shutdown');
    held.release();
    expect(budget.inUse).toBe(0);
    (await budget.acquire(10)).release();
  });
});

describe('the default budget', () => {
  const facts = { rss: 150 * MIB, heapLimit: 4096 * MIB, heapUsed: 60 * MIB };

  it('half of what the container limit leaves after start and 64 MiB for garbage', () => {
    expect(defaultBudgetBytes({ ...facts, cgroupLimit: 256 * MIB })).toBe(21 * MIB);
    // Never nothing: a file of a few MiB must still be readable one at a time.
    expect(defaultBudgetBytes({ ...facts, cgroupLimit: 200 * MIB })).toBe(8 * MIB);
  });

  it("bounded by Node's heap limit when that is lower", () => {
    expect(defaultBudgetBytes({ ...facts, cgroupLimit: 1024 * MIB, heapLimit: 160 * MIB })).toBe(50 * MIB);
  });

  it('256 MiB without a container limit', () => {
    expect(defaultBudgetBytes({ ...facts, cgroupLimit: undefined })).toBe(FALLBACK_BUDGET_BYTES);
  });

  it('reads cgroup v2, then v1, and knows their ways of saying "no limit"', () => {
    const files =
      (table: Record<string, string>) =>
      (path: string): string => {
        const text = table[path];
        if (text === undefined) throw new Error(`ENOENT: ${path}`);
        return text;
      };
    expect(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory.max': '268435456\n' }))).toBe(256 * MIB);
    expect(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory.max': 'max\n' }))).toBeUndefined();
    expect(cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '536870912\n' }))).toBe(512 * MIB);
    expect(
      cgroupMemoryLimit(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '9223372036854771712\n' })),
    ).toBeUndefined();
    expect(cgroupMemoryLimit(files({}))).toBeUndefined();
  });
});
