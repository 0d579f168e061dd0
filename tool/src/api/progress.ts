/** How long work reports its steps: the CLI shows a spinner, the extension a notification. */
export interface Progress {
  /**
   * Runs one named step of a longer job and reports its start, end and time; `failed` tells
   * from the step's value whether it failed (steps answer diagnostics rather than throw).
   */
  step<T>(label: string, work: () => Promise<T>, failed?: (value: T) => boolean): Promise<T>;
}

/** Runs steps without telling anyone: the default for library callers. */
export const quietProgress: Progress = { step: (_label, work) => work() };
