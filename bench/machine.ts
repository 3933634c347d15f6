import { cpus, loadavg, release, totalmem, type } from 'node:os';

/** Where a bench ran; printed at the top of BENCHMARKS.md. */
export interface MachineInfo {
  readonly cpuModel: string;
  readonly cores: number;
  readonly node: string;
  readonly os: string;
  readonly memoryGiB: number;
  /** 1-minute load average when the bench started (the machine may be shared). */
  readonly loadAverage: number;
  /** ISO 8601 date and time (UTC) the bench started. */
  readonly date: string;
}

export function describeMachine(now: Date = new Date()): MachineInfo {
  const cpu = cpus();
  return {
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    cores: cpu.length,
    node: process.version,
    os: `${type()} ${release()}`,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAverage: loadavg()[0] ?? 0,
    date: now.toISOString(),
  };
}
