/**
 * Waking the job runner at once instead of at its next poll (a webhook stored, a job queued, a Retry pressed).
 * In the process that runs the runner, its scheduler listens; in a web process that supervises a worker process,
 * the supervisor listens and passes the wake on over IPC; elsewhere nobody listens and a wake is free.
 */
type WakeListener = () => void;

const listeners = new Set<WakeListener>();

export function wakeWorker(): void {
  for (const listener of listeners) listener();
}

/** Returns the function that stops listening. */
export function onWake(listener: WakeListener): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}
