import { readFileSync } from 'node:fs';

function cpuSecondsOf(statFile: string): number {
  const fields = readFileSync(statFile, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * CPU seconds of a process (all its threads) and of its main thread alone, and its RSS, from
 * /proc. The main thread is the one that bounds a Node process that hands its heavy work to a
 * thread pool. Zeros once the process has gone.
 */
export function usage(pid: number): { cpu: number; mainThreadCpu: number; rssMb: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return {
      cpu: cpuSecondsOf(`/proc/${pid}/stat`),
      mainThreadCpu: cpuSecondsOf(`/proc/${pid}/task/${pid}/stat`),
      rssMb: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024,
    };
  } catch {
    return { cpu: 0, mainThreadCpu: 0, rssMb: 0 };
  }
}
