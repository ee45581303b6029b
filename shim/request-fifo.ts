/**
 * RequestFifo - an fd's line of requests not yet handed to the engine: an array with a moving
 * head. Requests leave at the head (drain) one at a time, and a line can hold tens of thousands
 * (C-style requests waiting for room in the region table, or for a serial one): `Array#shift` on
 * an array that long copies the rest of it every time (V8 trims only small arrays in place), and
 * 46,000 reads waiting behind a full table spent a second of a three-second run in drain. The
 * head moves instead; the slots it left are given back once they are most of the array. The
 * Promise twins' calls waiting for room line up in one too (promise-deferred.ts).
 */
export class RequestFifo<T> {
  #items: (T | undefined)[] = [];
  #head = 0;

  /** How many are in line. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  /** get - the one `index` places behind the head (0 is the head); undefined past the end. */
  get(index: number): T | undefined {
    return this.#items[this.#head + index];
  }

  /** indexOf - where `item` is in line (0 is the head), or -1. */
  indexOf(item: T): number {
    const at = this.#items.indexOf(item, this.#head);
    return at < 0 ? -1 : at - this.#head;
  }

  /** push - put `item` last. */
  push(item: T): void {
    this.#items.push(item);
  }

  /** shift - take the head out; undefined when empty. */
  shift(): T | undefined {
    if (this.#head >= this.#items.length) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items.length = 0;
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      // Given back in one copy of what is left: amortised over the shifts that made room for it.
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
    return item;
  }

  /** unshift - put `item` first. */
  unshift(item: T): void {
    if (this.#head > 0) this.#items[--this.#head] = item;
    else this.#items.unshift(item);
  }

  /** insertAt - put `item` at `index` (0 is the head, `length` is last). */
  insertAt(index: number, item: T): void {
    if (index === 0) this.unshift(item);
    else if (index === this.length) this.#items.push(item);
    else this.#items.splice(this.#head + index, 0, item);
  }

  /** removeAt - take out the one at `index` (0 is the head); nothing when out of range. */
  removeAt(index: number): void {
    if (index < 0 || index >= this.length) return;
    if (index === 0) this.shift();
    else this.#items.splice(this.#head + index, 1);
  }

  /** takeAll - everything in line, in order; the line is left empty. */
  takeAll(): T[] {
    const all = this.#items.slice(this.#head) as T[];
    this.#items = [];
    this.#head = 0;
    return all;
  }
}
