import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

const LISTEN = '0A';
const LOOPBACK = new Set(['0100007F', '00000000000000000000000001000000']);

/** The inodes of the sockets `pid` holds open. */
function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    const target = (() => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        return ''; // closed while being read
      }
    })();
    const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
    if (inode) inodes.add(inode);
  }
  return inodes;
}

export interface ListeningSocket {
  pid: number;
  address: string;
  port: number;
  loopback: boolean;
}

/** The TCP sockets (IPv4 and IPv6) on which the processes `pids` listen, read from /proc. */
export function listeningSockets(pids: number[]): ListeningSocket[] {
  const owners = new Map<string, number>();
  for (const pid of pids) for (const inode of socketInodes(pid)) owners.set(inode, pid);
  const sockets: ListeningSocket[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').trim().split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      const [address, port] = fields[1].split(':');
      const pid = owners.get(fields[9]);
      if (fields[3] !== LISTEN || pid === undefined) continue;
      sockets.push({ pid, address, port: Number.parseInt(port, 16), loopback: LOOPBACK.has(address) });
    }
  }
  return sockets;
}
