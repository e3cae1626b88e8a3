// Typed events from the services to every connected window (IPC, WebSocket) or command line.
import { EventEmitter } from 'node:events';
import type { EventName, Events } from '../ipc/contract';

export type EventListener = <E extends EventName>(name: E, payload: Events[E]) => void;

export class EventBus {
  private readonly emitter = new EventEmitter();

  constructor() {
    this.emitter.setMaxListeners(100);
  }

  emit<E extends EventName>(name: E, payload: Events[E]): void {
    this.emitter.emit('event', name, payload);
  }

  /** Listens to every event; returns the function that stops listening. */
  subscribe(listener: EventListener): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }
}
