/**
 * An append-only event log that any number of consumers can iterate, each from the beginning. Iteration ends
 * once the log is closed and every event has been delivered. Nothing is dropped, so a consumer that starts late
 * (or after the run is over) still sees the whole run.
 */
export class EventChannel<T> implements AsyncIterable<T> {
  private readonly items: T[] = [];
  private isClosed = false;
  private waiters: (() => void)[] = [];

  push(item: T): void {
    if (this.isClosed) return;
    this.items.push(item);
    this.wake();
  }

  close(): void {
    this.isClosed = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    let index = 0;
    while (true) {
      if (index < this.items.length) {
        yield this.items[index++] as T;
        continue;
      }
      if (this.isClosed) return;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
}
