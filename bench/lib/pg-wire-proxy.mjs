// A counting TCP proxy between the app and PostgreSQL (node:net): it forwards every byte unchanged and reads the
// frontend/backend protocol's message headers on the way to count what an order costs the database
// (pg_stat_statements is not loaded on the bench server, and must not be configured by hand).
//   round trips   a Sync ('S', the end of an extended-protocol query) or a simple Query ('Q') from the client: the
//                 client waits for the server's answer after each
//   statements    Execute ('E') + simple Query ('Q') messages from the client; parses ('P') are counted apart
//   transactions  ReadyForQuery ('Z') from the server with status 'I' (idle: a transaction, explicit or implicit,
//                 has just ended), except the one that ends a connection's start-up; this is what pg_stat_database's
//                 xact_commit + xact_rollback count for these connections, without its flush delay
// Only the app's connections go through it (its DATABASE_URL names the proxy); the harness talks to PostgreSQL directly.
import net from 'node:net';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

export const emptyCounts = () => ({ connections: 0, roundTrips: 0, statements: 0, parses: 0, transactions: 0, errors: 0, bytesToServer: 0, bytesToClient: 0 });

/** `b - a` for every counter. */
export const countsBetween = (a, b) => Object.fromEntries(Object.keys(b).map((key) => [key, b[key] - (a[key] ?? 0)]));

/**
 * Reads one direction's message boundaries across chunks, calling `onMessage(type, firstBodyByte)` once per message.
 * Untyped messages (start-up, SSL/GSS/cancel requests: a length, then a code) are read whole and passed to `onUntyped`.
 */
class MessageScanner {
  constructor({ untyped, onMessage, onUntyped }) {
    this.untyped = untyped; // the client's first message has no type byte
    this.singleByte = false; // the server's one-byte answer to an SSL or GSS request
    this.onMessage = onMessage;
    this.onUntyped = onUntyped;
    this.header = Buffer.alloc(5);
    this.headerFill = 0;
    this.type = 0;
    this.remaining = 0; // body bytes of the current message still to skip
    this.wantFirstByte = false;
    this.untypedBody = null;
    this.opaque = false; // TLS was negotiated: nothing more can be read
  }

  push(chunk) {
    let i = 0;
    while (i < chunk.length && !this.opaque) {
      if (this.singleByte) {
        this.singleByte = false;
        if (chunk[i] === 0x53 /* S: TLS follows */ || chunk[i] === 0x47 /* G: GSS follows */) this.opaque = true;
        i++;
        continue;
      }
      if (this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - i);
        if (this.untypedBody) {
          chunk.copy(this.untypedBody, this.untypedBody.length - this.remaining, i, i + n);
        } else if (this.wantFirstByte) {
          this.wantFirstByte = false;
          this.onMessage(this.type, chunk[i]);
        }
        this.remaining -= n;
        i += n;
        if (this.remaining === 0 && this.untypedBody) {
          const body = this.untypedBody;
          this.untypedBody = null;
          this.onUntyped(body.readInt32BE(0));
        }
        continue;
      }
      const headerLength = this.untyped ? 4 : 5;
      this.header[this.headerFill++] = chunk[i++];
      if (this.headerFill < headerLength) continue;
      this.headerFill = 0;
      if (this.untyped) {
        this.untyped = false; // onUntyped may set it again (a start-up message follows an SSL request)
        this.remaining = this.header.readInt32BE(0) - 4;
        this.untypedBody = Buffer.alloc(this.remaining);
        continue;
      }
      this.type = this.header[0];
      this.remaining = this.header.readInt32BE(1) - 4;
      if (this.remaining === 0) this.onMessage(this.type, -1);
      else this.wantFirstByte = true;
    }
  }
}

/**
 * Starts the proxy on 127.0.0.1 (a free port) in front of `target` ({host, port}). Returns
 * `{ port, counts(), close() }`; counts() is a snapshot of the counters since the start.
 */
export async function startPgWireProxy(target) {
  const totals = emptyCounts();
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    totals.connections++;
    let readyForQuerySeen = false;
    const fromServer = new MessageScanner({
      untyped: false,
      onMessage(type, first) {
        if (type === 0x5a /* Z */) {
          if (readyForQuerySeen && first === 0x49 /* I */) totals.transactions++;
          readyForQuerySeen = true;
        } else if (type === 0x45 /* E: ErrorResponse */) totals.errors++;
      },
    });
    const fromClient = new MessageScanner({
      untyped: true,
      onMessage(type) {
        switch (type) {
          case 0x51: // Q
            totals.roundTrips++;
            totals.statements++;
            break;
          case 0x53: // S
            totals.roundTrips++;
            break;
          case 0x45: // E
            totals.statements++;
            break;
          case 0x50: // P
            totals.parses++;
            break;
        }
      },
      onUntyped(code) {
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          fromClient.untyped = true; // the start-up message comes next
          fromServer.singleByte = true;
        } else if (code === CANCEL_REQUEST) {
          totals.connections--; // not a session
        }
      },
    });
    client.on('data', (chunk) => {
      totals.bytesToServer += chunk.length;
      fromClient.push(chunk);
    });
    upstream.on('data', (chunk) => {
      totals.bytesToClient += chunk.length;
      fromServer.push(chunk);
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    counts: () => ({ ...totals }),
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** The same URL with its host and port replaced by the proxy's. */
export function urlThroughProxy(url, port) {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(port);
  return parsed.toString();
}

/** {host, port} of a postgres:// URL (defaults as libpq's). */
export function targetOf(url) {
  const parsed = new URL(url);
  return { host: parsed.hostname || '127.0.0.1', port: Number(parsed.port || 5432) };
}
