/**
 * The vocabulary the converter and the struct converters share to say how each 64-bit argument
 * was produced from its 32-bit source (inspect prints it).
 */

/** How one 64-bit argument was produced. */
export type ArgRule =
  | 'zero-extend' | 'sign-extend' | 'joined lo/hi' | 'counter cell' | 'gap (zero)'
  | 'iovec array' | 'timespec' | 'stat64' | 'siginfo' | 'msghdr' | 'null';
