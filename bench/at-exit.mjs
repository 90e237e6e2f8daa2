// Preloaded into every process the bench measures (node --import): when the process exits, appends
// its own CPU time and peak memory, as the kernel counted them, to the file BENCH_AT_EXIT names.
import { appendFileSync } from 'node:fs';

const file = process.env.BENCH_AT_EXIT;
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const line = { cpuUs: usage.userCPUTime + usage.systemCPUTime, maxRssKb: usage.maxRSS };
    appendFileSync(file, `${JSON.stringify(line)}\n`);
  });
}
