'use strict';
// The waits of the adapters' tests. Every wait ends: on what it waits for,
// or after a bounded time with a message that says what did not come. A
// wait is woken by the event it waits for (`Waiters.notify`), never by
// sleeping; `eventually` looks again at intervals, for what has no event
// (a process gone).

/** `what` (a string, or a function making one when the time is up) as text. */
function describe(what) {
  return typeof what === 'function' ? what() : what;
}

/**
 * `promise`, or a rejection naming `what` after `ms`: every wait of a test
 * ends, with a message that says what did not come.
 */
async function within(promise, what, ms) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${describe(what)}`)), ms);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Pending waits on something that changes (a list of messages, a log): each
 * `when(probe, …)` resolves with the first value its probe returns that is
 * not undefined, looking at once and again at every `notify()`.
 */
class Waiters {
  constructor() {
    this.pending = new Set();
  }

  /**
   * Resolves with the first value `probe()` returns that is not undefined;
   * rejects after `ms` with "timed out waiting for <what>".
   */
  when(probe, what, ms) {
    return new Promise((resolve, reject) => {
      const waiter = {
        check: () => {
          const found = probe();
          if (found === undefined) return;
          clearTimeout(waiter.timer);
          this.pending.delete(waiter);
          resolve(found);
        },
        timer: setTimeout(() => {
          this.pending.delete(waiter);
          reject(new Error(`timed out waiting for ${describe(what)}`));
        }, ms),
      };
      this.pending.add(waiter);
      waiter.check();
    });
  }

  /** Something changed: every pending probe looks again. */
  notify() {
    for (const waiter of [...this.pending]) waiter.check();
  }
}

/** Resolves once `check()` is true, looking every 20 ms, or rejects after `ms`. */
async function eventually(check, what, ms) {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${describe(what)}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

module.exports = { within, Waiters, eventually };
