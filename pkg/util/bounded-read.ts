// Reading a file named on the command line without trusting it: a device (`/dev/zero`), a FIFO or
// a file larger than any legitimate input is refused before it fills memory.
import { open } from "node:fs/promises";

export async function readBoundedFile(path: string, maxBytes: number): Promise<Uint8Array> {
  const handle = await open(path, "r");
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new Error("not a regular file");
    if (stat.size > maxBytes) throw new Error(`${stat.size} bytes, more than the ${maxBytes} accepted`);
    // One byte more than the file claims: a file that grows while it is read is caught, not cut.
    const buffer = new Uint8Array(stat.size + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length === buffer.length) throw new Error("the file grew while it was read");
    }
    return buffer.slice(0, length);
  } finally {
    await handle.close();
  }
}
