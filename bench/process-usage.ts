import { readdirSync, readFileSync } from 'node:fs';

/** utime + stime, and with `reaped` also cutime + cstime: the children it has waited for. */
function cpuSecondsOf(statFile: string, reaped = false): number {
  const fields = readFileSync(statFile, 'utf8').split(') ')[1].split(' ');
  const own = Number(fields[11]) + Number(fields[12]);
  return (reaped ? own + Number(fields[13]) + Number(fields[14]) : own) / 100;
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
 * budget of where a letter's CPU goes. A process that ends is reaped by its parent, which adds
 * its CPU to its own children's time: counting that too keeps the backends of connections
 * closed between two readings in the figure (PostgreSQL's postmaster reaps every backend).
 */
export function cpuOfProcessesNamed(name: string): number {
  let total = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== name) continue;
      total += cpuSecondsOf(`/proc/${pid}/stat`, true);
    } catch {
      // gone meanwhile
    }
  }
  return total;
}

/** CPU seconds of this process, user and system. */
export function ownCpuSeconds(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
