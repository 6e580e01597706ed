import { readdirSync, readFileSync } from 'node:fs';

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

/**
 * CPU seconds of every process with this command name (e.g. all PostgreSQL backends), for a
 * budget of where a letter's CPU goes. Processes that end between two readings drop out, so
 * read it around a phase in which the set of processes is stable.
 */
export function cpuOfProcessesNamed(name: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== name) continue;
      total += cpuSecondsOf(`/proc/${pid}/stat`);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}
