import { describe, expect, it } from "@jest/globals";
import { SignatureMemory, type SignatureHolder } from "./signature-memory.ts";

const MiB = 1024 * 1024;

/** Whether the promise has settled after the current microtasks ran. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  void promise.then(
    () => (done = true),
    () => (done = true),
  );
  for (let i = 0; i < 10; i++) await Promise.resolve();
  return done;
}

describe("SignatureMemory", () => {
  it("grants at once while there is room, and counts what is held", async () => {
    const memory = new SignatureMemory(64 * MiB, 16 * MiB);
    const a = memory.open();
    const b = memory.open();
    await a.reserve(4 * MiB);
    await b.reserve(4 * MiB);
    expect(memory.used).toBe(8 * MiB);
    a.release(4 * MiB - 100); // the body read was 100 bytes
    expect(a.held).toBe(100);
    expect(memory.used).toBe(4 * MiB + 100);
    a.close();
    b.close();
    expect(memory.used).toBe(0);
  });

  it("makes images wait (not fail) when the shared budget is exhausted, until bytes are released", async () => {
    const memory = new SignatureMemory(32 * MiB, 16 * MiB);
    const first = memory.open();
    const second = memory.open();
    const third = memory.open();
    await first.reserve(4 * MiB);
    // The first image keeps room for the rest of its 16 MiB (12 MiB): others share 16 MiB.
    await second.reserve(16 * MiB);
    const waiting = third.reserve(4 * MiB);
    expect(await settled(waiting)).toBe(false);
    expect(memory.waiting).toBe(1);
    // The first image is never made to wait: it takes the rest of its own budget.
    await first.reserve(12 * MiB);
    expect(await settled(waiting)).toBe(false);
    second.release(4 * MiB);
    expect(await settled(waiting)).toBe(true);
    expect(third.held).toBe(4 * MiB);
    expect(memory.used).toBe(16 * MiB + 12 * MiB + 4 * MiB);
  });

  it("releases everything of an image when its verification completes, and wakes the next in order", async () => {
    const memory = new SignatureMemory(24 * MiB, 16 * MiB);
    const a = memory.open();
    const b = memory.open();
    const c = memory.open();
    await a.reserve(16 * MiB);
    await b.reserve(8 * MiB);
    const order: string[] = [];
    const bWaits = b.reserve(4 * MiB).then(() => order.push("b"));
    const cWaits = c.reserve(4 * MiB).then(() => order.push("c"));
    expect(await settled(bWaits)).toBe(false);
    a.close(); // a completes: 16 MiB back; b becomes the first image
    await Promise.all([bWaits, cWaits]);
    expect(order).toEqual(["b", "c"]);
    expect(memory.used).toBe(16 * MiB);
  });

  it("never deadlocks: images that keep every 4 MiB body they read, through room for one, all finish", async () => {
    // Without the room kept for the first image, five images would take 4 MiB each and all wait.
    const memory = new SignatureMemory(20 * MiB, 16 * MiB);
    let inUse = 0;
    let peak = 0;
    const image = async (): Promise<void> => {
      const holder = memory.open();
      try {
        for (let body = 0; body < 4; body++) {
          await holder.reserve(4 * MiB);
          peak = Math.max(peak, memory.used);
          inUse++;
          await new Promise((r) => setTimeout(r, 1));
          inUse--;
        }
      } finally {
        holder.close();
      }
    };
    await Promise.all(Array.from({ length: 32 }, image));
    expect(inUse).toBe(0);
    expect(memory.used).toBe(0);
    expect(memory.waiting).toBe(0);
    expect(peak).toBeLessThanOrEqual(20 * MiB);
  });

  it("refuses, for one image, more than its own budget, which is never more than the shared one", async () => {
    const memory = new SignatureMemory(8 * MiB, 16 * MiB);
    expect(memory.perImage).toBe(8 * MiB);
    const holder = memory.open();
    await holder.reserve(8 * MiB);
    expect(holder.room()).toBe(0);
    await expect(holder.reserve(1)).rejects.toThrow(RangeError);
    expect(holder.exceeded()).toBe(
      "more than 8388608 bytes of signatures for one image, all the memory this verifier gives the signatures of every image at once",
    );
    expect(new SignatureMemory().open().exceeded()).toBe(
      "more than 16777216 bytes of signatures for one image, the most this verifier reads",
    );
  });

  it("keeps completed images' bytes (cached signatures) until an image in flight needs the room", async () => {
    const memory = new SignatureMemory(18 * MiB, 16 * MiB);
    const evicted: string[] = [];
    const done = async (name: string, bytes: number): Promise<SignatureHolder> => {
      const holder = memory.open();
      await holder.reserve(bytes);
      holder.park(() => evicted.push(name));
      return holder;
    };
    const a = await done("a", 2 * MiB);
    await done("b", 2 * MiB);
    a.unpark(); // a is used again: it is no longer the least recently used, nor evictable
    a.park(() => evicted.push("a"));
    expect(memory.used).toBe(4 * MiB);
    const next = memory.open();
    await next.reserve(16 * MiB); // 16 of 18 MiB: one of the parked images must go
    expect(evicted).toEqual(["b"]);
    expect(memory.used).toBe(18 * MiB);
    next.close();
    expect(memory.used).toBe(2 * MiB);
  });

  it("rejects a reservation of a holder closed while it waits", async () => {
    const memory = new SignatureMemory(16 * MiB, 16 * MiB);
    const first = memory.open();
    const other = memory.open();
    await first.reserve(8 * MiB);
    const waiting = other.reserve(4 * MiB);
    other.close();
    await expect(waiting).rejects.toThrow(/closed while waiting/);
    first.close();
    expect(memory.used).toBe(0);
  });
});
