import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './app-process';

const run = promisify(execFile);
const BINARIES_ROOT = '/usr/lib/postgresql';

/**
 * A PostgreSQL cluster of one test's own (initdb in a temp dir, a free port), for tests that stop and restart the
 * database: the shared server on 5432 serves everybody else's tests and must never be restarted.
 */
export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  url: string;
  /** `pg_ctl restart -m fast`: every session is terminated, the server is back when it returns. */
  restart(): Promise<void>;
  /** `pg_ctl stop -m fast`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server (immediate) and removes its files. */
  destroy(): Promise<void>;
}

/** The newest PostgreSQL server binaries of the machine (Debian's /usr/lib/postgresql/<major>/bin). */
function binaries(): string {
  const majors = existsSync(BINARIES_ROOT) ? readdirSync(BINARIES_ROOT).filter((name) => existsSync(join(BINARIES_ROOT, name, 'bin', 'initdb'))) : [];
  if (majors.length === 0) throw new Error(`no PostgreSQL server binaries under ${BINARIES_ROOT} (Debian's postgresql package provides them)`);
  return join(BINARIES_ROOT, majors.sort((a, b) => Number(b) - Number(a))[0], 'bin');
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binaries();
  const dir = mkdtempSync(join(tmpdir(), 'oms-private-pg-'));
  const data = join(dir, 'data');
  const port = await freePort();
  // initdb refuses to run as root: as root the cluster belongs to the postgres user, and its commands run as that user
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(group.trim()));
  }
  const pg = async (command: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, command), ...args]] : [join(bin, command), args];
    try {
      await run(file, argv, { timeout: 60_000 });
    } catch (error) {
      const { stdout, stderr } = error as { stdout?: string; stderr?: string };
      throw new Error(`${command} ${args.join(' ')} failed: ${(error as Error).message}\n${stdout ?? ''}${stderr ?? ''}`);
    }
  };
  // the socket in our own dir (not /var/run/postgresql, where the shared server's is); fsync off: a test's throwaway data
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`;
  const ctl = (...args: string[]) => pg('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-o', options, '-w', '-t', '60', ...args]);
  await pg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-N', '-E', 'UTF8', '--locale=C']);
  await ctl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => ctl('-m', 'fast', 'restart'),
    stop: () => ctl('-m', 'fast', 'stop'),
    start: () => ctl('start'),
    async destroy() {
      await ctl('-m', 'immediate', 'stop').catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
