export enum JobState {
  Pending = "pending",
  Retrying = "retrying",
  Failed = "failed",
  Done = "done",
}

/** A unit of work for the queue. */
export interface Job {
  id: string;
  attempts: number;
  state: JobState;
  error?: Error;
  run(): Promise<void>;
}
