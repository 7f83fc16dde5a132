import { EventEmitter } from 'node:events';

/**
 * A typed event emitter: `Events` maps each event name to its listener's argument tuple, so a
 * progress bar or `status` cannot subscribe to a misspelt event or read a missing field.
 */
export class TypedEmitter<Events extends Record<string, unknown[]>> {
  readonly #emitter = new EventEmitter();

  on<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.on(event, listener as (...args: unknown[]) => void);
    return this;
  }

  off<E extends keyof Events & string>(event: E, listener: (...args: Events[E]) => void): this {
    this.#emitter.off(event, listener as (...args: unknown[]) => void);
    return this;
  }

  emit<E extends keyof Events & string>(event: E, ...args: Events[E]): void {
    this.#emitter.emit(event, ...args);
  }
}
