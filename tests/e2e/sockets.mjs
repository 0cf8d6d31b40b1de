// Reads an `strace -f -yy -e trace=connect,sendto,sendmsg,sendmmsg` log of a browser test run
// and fails if anything spoke to a host other than this machine (127.0.0.0/8, ::1).
//   node tests/e2e/sockets.mjs LOG...
// A UDP connect() sends nothing (it only picks a route: Chromium does one to learn whether
// IPv6 is reachable), so it is counted, not failed; any data sent off the machine fails.
import { readFileSync } from 'node:fs';

const LOOPBACK = /(^|[^\d])127\.\d+\.\d+\.\d+|"::1"|\[::1\]|::ffff:127\./;

export function offMachine(log) {
  const bad = [];
  let probes = 0;
  for (const line of log.split('\n')) {
    const call = line.match(/\b(connect|sendto|sendmsg|sendmmsg)\((\d+)<([A-Za-z0-9]+):\[([^\]]*)\]>/);
    if (!call) continue;
    const [, name, , proto, endpoints] = call;
    if (!/^(TCP|UDP|TCPv6|UDPv6)$/.test(proto)) continue;
    const address = line.match(/inet_addr\("([^"]+)"\)|inet_pton\(AF_INET6, "([^"]+)"/);
    const target = address ? address[1] ?? address[2] : null;
    if (name === 'connect') {
      if (!target || LOOPBACK.test(`"${target}"`) || target.startsWith('127.')) continue;
      if (proto.startsWith('UDP')) { probes += 1; continue; }
      bad.push(line);
    } else if (target ? !(target.startsWith('127.') || target === '::1') : !LOOPBACK.test(endpoints)) {
      bad.push(line);
    }
  }
  return { bad, probes };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let failed = false;
  for (const file of process.argv.slice(2)) {
    const { bad, probes } = offMachine(readFileSync(file, 'utf8'));
    console.log(`${file}: ${bad.length} socket call(s) to other hosts, ${probes} UDP route probe(s) (no data)`);
    for (const l of bad.slice(0, 20)) console.log(`  ${l.slice(0, 220)}`);
    failed ||= bad.length > 0;
  }
  process.exit(failed ? 1 : 0);
}
