/** Where a command writes and what it reads; the entry point binds it to the process. */
export interface Io {
  /** Writes to standard output as is. */
  out(text: string): void;
  /** Writes to standard error as is. */
  err(text: string): void;
  /** Reads standard input to its end, refusing more than `limit` bytes. */
  readStdin(limit: number): Promise<Buffer>;
}

/** The process's own streams. */
export function processIo(): Io {
  // A reader that stops early (`samlkit decode … | head`) closes the pipe: stop quietly, as Unix tools do.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      process.exit(process.exitCode ?? 0);
    });
  }
  return {
    out: (text) => {
      process.stdout.write(text);
    },
    err: (text) => {
      process.stderr.write(text);
    },
    readStdin: async (limit) => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of process.stdin) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        size += buffer.length;
        if (size > limit) {
          process.stdin.destroy();
          return Buffer.concat([...chunks, buffer]);
        }
        chunks.push(buffer);
      }
      return Buffer.concat(chunks);
    },
  };
}
