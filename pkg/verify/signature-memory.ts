// Memory budgets for signature bodies, per image and across every image a Verifier has in flight.
//
// Each image (precisely: each image instance and source repository whose signatures are read) gets a
// SignatureHolder from one shared SignatureMemory. Before a body is read, the holder reserves the
// most that read may return; after it, the reservation shrinks to the bytes actually kept. So the
// bodies in memory never exceed:
//   - perImage bytes for one image (16 MiB by default; more is an error for that image), and
//   - total bytes for all images together (64 MiB by default). When the shared budget is exhausted,
//     an image waits for bytes to be released rather than failing.
//
// Why 64 MiB: four images at their full per-image budget, or sixteen bodies at containers/image's
// 4 MiB body limit being read at once. Real signatures are a few hundred bytes to a few KiB (a
// Fulcio bundle with its chain), so at the highest --concurrency (64) real images only ever hold
// the transient 4 MiB reservation of the read in progress: at least twelve reads proceed at once,
// and what is kept afterwards is a few KiB per image. Without it, 64 images × 16 MiB is 1 GiB.
//
// No deadlock: the first holder in flight (the oldest image still being verified) can always take
// all of its per-image budget. Every grant to another holder keeps `perImage - held(first)` bytes
// free (counting bytes that can be evicted, below); when the first holder completes, its bytes return
// and at least `perImage` bytes are free, so the next holder becomes first with the same guarantee.
// Any holder may wait, but the first never does, and it only waits for its own reads.
//
// Completed images keep their signatures in the Verifier's cache ("parked"): their bytes count
// against the budget but are evicted, oldest first, whenever an image in flight needs the room.

export const MAX_SIGNATURE_BYTES_PER_IMAGE = 16 * 1024 * 1024;
export const MAX_SIGNATURE_BYTES_IN_FLIGHT = 64 * 1024 * 1024;

interface Waiter {
  holder: SignatureHolder;
  bytes: number;
  resolve: () => void;
  reject: (error: Error) => void;
}

/** The shared budget: one per Verifier. */
export class SignatureMemory {
  /** Bytes all holders together may hold. */
  readonly total: number;
  /** Bytes one holder may hold (never more than total). */
  readonly perImage: number;
  readonly #sharedIsTheLimit: boolean;
  #used = 0;
  #parkedBytes = 0;
  /** Set while parked holders are evicted inside a grant, so that no other grant interleaves. */
  #evicting = false;
  /** Open, not parked holders, in the order they were opened (or unparked). */
  readonly #inFlight: SignatureHolder[] = [];
  /** Parked holders, least recently used first. */
  readonly #parked: SignatureHolder[] = [];
  readonly #waiting: Waiter[] = [];

  constructor(total = MAX_SIGNATURE_BYTES_IN_FLIGHT, perImage = MAX_SIGNATURE_BYTES_PER_IMAGE) {
    if (!Number.isSafeInteger(total) || total <= 0) throw new RangeError(`invalid signature memory ${total}`);
    if (!Number.isSafeInteger(perImage) || perImage <= 0)
      throw new RangeError(`invalid per-image signature memory ${perImage}`);
    this.total = total;
    this.perImage = Math.min(perImage, total);
    this.#sharedIsTheLimit = total < perImage;
  }

  /** Bytes held now by every holder, parked ones included. */
  get used(): number {
    return this.#used;
  }

  /** Reservations waiting for room. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /** A holder for one image; close it (or park it) when the image's verification completes. */
  open(): SignatureHolder {
    const holder = new SignatureHolder(this);
    this.#inFlight.push(holder);
    return holder;
  }

  /** Why an image that needs more than its budget is refused: which budget, and how large. */
  exceeded(): string {
    return this.#sharedIsTheLimit
      ? `more than ${this.total} bytes of signatures for one image, all the memory this verifier gives the signatures of every image at once`
      : `more than ${this.perImage} bytes of signatures for one image, the most this verifier reads`;
  }

  /** The budget that limits one image: "the N this verifier reads for one image" or the shared one. */
  describeLimit(): string {
    return this.#sharedIsTheLimit
      ? `the ${this.total} this verifier holds in memory for all images at once`
      : `the ${this.perImage} this verifier reads for one image`;
  }

  /** @internal */
  reserve(holder: SignatureHolder, bytes: number): Promise<void> {
    const first = this.#inFlight[0] === holder;
    if ((first || this.#waiting.length === 0) && this.#fits(holder, bytes)) {
      this.#grant(holder, bytes);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.#waiting.push({ holder, bytes, resolve, reject }));
  }

  /** @internal */
  released(holder: SignatureHolder, bytes: number): void {
    this.#used -= bytes;
    if (holder.parked) this.#parkedBytes -= bytes;
    this.#pump();
  }

  /** @internal */
  closed(holder: SignatureHolder): void {
    remove(this.#inFlight, holder);
    if (remove(this.#parked, holder)) this.#parkedBytes -= holder.held;
    this.#used -= holder.held;
    for (const waiter of this.#waiting.filter((w) => w.holder === holder)) {
      remove(this.#waiting, waiter);
      waiter.reject(new Error("signature memory holder closed while waiting"));
    }
    if (!this.#evicting) this.#pump();
  }

  /** @internal */
  parkedChanged(holder: SignatureHolder, parked: boolean): void {
    if (parked) {
      remove(this.#inFlight, holder);
      this.#parked.push(holder);
      this.#parkedBytes += holder.held;
    } else {
      remove(this.#parked, holder);
      this.#parkedBytes -= holder.held;
      this.#inFlight.push(holder);
    }
    this.#pump();
  }

  /** Whether granting keeps room for the first holder in flight to take all of its budget. */
  #fits(holder: SignatureHolder, bytes: number): boolean {
    const first = this.#inFlight[0] ?? holder;
    const free = this.total - this.#used + this.#parkedBytes;
    const firstNeeds = this.perImage - first.held - (first === holder ? bytes : 0);
    return free - bytes >= firstNeeds;
  }

  #grant(holder: SignatureHolder, bytes: number): void {
    // Make room from parked (completed, cached) holders, least recently used first.
    this.#evicting = true;
    try {
      while (this.total - this.#used < bytes) {
        const victim = this.#parked[0];
        if (victim === undefined) throw new Error("signature memory: no room to grant (a bug)");
        victim.evict();
      }
    } finally {
      this.#evicting = false;
    }
    this.#used += bytes;
    holder.granted(bytes);
  }

  #pump(): void {
    for (;;) {
      const first = this.#inFlight[0];
      let index = this.#waiting.findIndex((w) => w.holder === first);
      if (index === -1 || !this.#fits(first as SignatureHolder, (this.#waiting[index] as Waiter).bytes)) {
        index = 0;
      }
      const waiter = this.#waiting[index];
      if (waiter === undefined || !this.#fits(waiter.holder, waiter.bytes)) return;
      this.#waiting.splice(index, 1);
      this.#grant(waiter.holder, waiter.bytes);
      waiter.resolve();
    }
  }
}

/** One image's share of a SignatureMemory. */
export class SignatureHolder {
  readonly #memory: SignatureMemory;
  #held = 0;
  #parked = false;
  #closed = false;
  #onEvict: (() => void) | undefined;

  /** @internal */
  constructor(memory: SignatureMemory) {
    this.#memory = memory;
  }

  get held(): number {
    return this.#held;
  }

  get parked(): boolean {
    return this.#parked;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The most this holder may still reserve. */
  room(): number {
    return Math.max(0, this.#memory.perImage - this.#held);
  }

  /** "the N this verifier reads for one image" (or the shared budget, when that is smaller). */
  describeLimit(): string {
    return this.#memory.describeLimit();
  }

  /** "more than N bytes of signatures for one image, …": the reason for refusing this image. */
  exceeded(): string {
    return this.#memory.exceeded();
  }

  /**
   * Reserves `bytes` more (at most room()), waiting while the shared budget is exhausted. Throws
   * RangeError beyond room(): callers read at most room() bytes and report the budget themselves.
   */
  async reserve(bytes: number): Promise<void> {
    if (this.#closed) throw new Error("signature memory holder already closed");
    if (this.#parked) throw new Error("signature memory holder is parked");
    if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > this.room()) {
      throw new RangeError(`cannot reserve ${bytes} bytes of signature memory, ${this.room()} left`);
    }
    if (bytes === 0) return;
    await this.#memory.reserve(this, bytes);
  }

  /** Gives back `bytes` of what this holder reserved. */
  release(bytes: number): void {
    if (this.#closed || bytes <= 0) return;
    const given = Math.min(bytes, this.#held);
    this.#held -= given;
    this.#memory.released(this, given);
  }

  /**
   * The image's verification is complete but its signatures stay cached: the bytes stay counted until
   * `evict` is called, which happens when an image in flight needs the room.
   */
  park(onEvict: () => void): void {
    if (this.#closed || this.#parked) return;
    this.#onEvict = onEvict;
    this.#parked = true;
    this.#memory.parkedChanged(this, true);
  }

  /** A cached image is being verified again: its bytes are in flight again and cannot be evicted. */
  unpark(): void {
    if (this.#closed || !this.#parked) return;
    this.#parked = false;
    this.#onEvict = undefined;
    this.#memory.parkedChanged(this, false);
  }

  /** Releases everything; the holder cannot be used again. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#memory.closed(this);
    this.#held = 0;
  }

  /** @internal */
  granted(bytes: number): void {
    this.#held += bytes;
  }

  /** @internal */
  evict(): void {
    const onEvict = this.#onEvict;
    this.close();
    onEvict?.();
  }
}

function remove<T>(list: T[], item: T): boolean {
  const index = list.indexOf(item);
  if (index === -1) return false;
  list.splice(index, 1);
  return true;
}
