/**
 * `struct sigevent` inside an aiocb (glibc's x86-64 layout, 64 bytes): the plain-data form
 * `new Aiocb()` takes, and the live view `aiocb.aio_sigevent` gives.
 */
import { readWord, setWord } from '../engine/words.js';
import { SIGEVENT } from './constants.js';
import type { Request } from './request.js';
import type { SigevNotifyFunction } from './types.js';
import { int32, word } from './member-values.js';

/** `struct sigevent`, as plain data (every field optional; missing ones are 0 / null). */
export interface SigeventInit {
  /** SIGEV_NONE, SIGEV_SIGNAL or SIGEV_THREAD. */
  sigev_notify?: number;
  /** The signal for SIGEV_SIGNAL. */
  sigev_signo?: number;
  /** sival_int / sival_ptr: delivered as si_value, or passed to the function. */
  sigev_value?: number | bigint;
  /** SIGEV_THREAD: called on the JS event loop with sigev_value. */
  sigev_notify_function?: SigevNotifyFunction | null;
  /** Kept for layout fidelity; ignored (there is no thread per completion). */
  sigev_notify_attributes?: number | bigint;
}

/** The aiocb's `aio_sigevent`: a live view of its 64 bytes (plus the JS-side notify function). */
export class Sigevent {
  readonly #view: DataView;
  readonly #base: number;
  readonly #request: Request;

  /** @internal */
  constructor(view: DataView, base: number, request: Request) {
    this.#view = view;
    this.#base = base;
    this.#request = request;
  }

  /** SIGEV_NONE, SIGEV_SIGNAL or SIGEV_THREAD. */
  get sigev_notify(): number {
    return this.#view.getInt32(this.#base + SIGEVENT.sigev_notify, true);
  }
  /** Sets the notification method. @throws TypeError unless a 32-bit integer. */
  set sigev_notify(value: number) {
    this.#view.setInt32(this.#base + SIGEVENT.sigev_notify, int32('sigev_notify', value), true);
  }

  /** The signal SIGEV_SIGNAL queues. */
  get sigev_signo(): number {
    return this.#view.getInt32(this.#base + SIGEVENT.sigev_signo, true);
  }
  /** Sets the signal number. @throws TypeError unless a 32-bit integer. */
  set sigev_signo(value: number) {
    this.#view.setInt32(this.#base + SIGEVENT.sigev_signo, int32('sigev_signo', value), true);
  }

  /** sival_int / sival_ptr (8 bytes): a number, or a bigint when it does not fit in 53 bits. */
  get sigev_value(): number | bigint {
    return readWord(this.#view, this.#base + SIGEVENT.sigev_value);
  }
  /** Sets the value. @throws TypeError for a number that is not a safe integer; RangeError for a bigint outside 64 bits. */
  set sigev_value(value: number | bigint) {
    setWord(this.#view, this.#base + SIGEVENT.sigev_value, word('sigev_value', value));
  }

  /** SIGEV_THREAD's function (kept on the JS side: it is a JS function, not a C pointer). */
  get sigev_notify_function(): SigevNotifyFunction | null {
    return this.#request.notifyFunction;
  }
  /** Sets the function, or null for none. @throws TypeError unless a function or null. */
  set sigev_notify_function(value: SigevNotifyFunction | null) {
    if (value !== null && typeof value !== 'function') throw new TypeError('sigev_notify_function must be a function or null');
    this.#request.notifyFunction = value;
  }

  /** pthread attributes pointer: stored, ignored. */
  get sigev_notify_attributes(): number | bigint {
    return readWord(this.#view, this.#base + SIGEVENT.sigev_notify_attributes);
  }
  /** Sets the (ignored) attributes pointer. @throws TypeError for a number that is not a safe integer; RangeError for a bigint outside 64 bits. */
  set sigev_notify_attributes(value: number | bigint) {
    setWord(this.#view, this.#base + SIGEVENT.sigev_notify_attributes, word('sigev_notify_attributes', value));
  }
}
