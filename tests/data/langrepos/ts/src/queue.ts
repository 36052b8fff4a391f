import { Job, JobState } from "./job";

interface Counters {
  enqueued: number;
  started: number;
  finished: number;
  failed: number;
  retried: number;
  cancelled: number;
}

/** Runs jobs one after the other, retrying a failed job up to `maxRetries` times. */
export class JobQueue {
  private readonly jobs: Job[] = [];
  private readonly counters: Counters = {
    enqueued: 0,
    started: 0,
    finished: 0,
    failed: 0,
    retried: 0,
    cancelled: 0,
  };

  constructor(private readonly maxRetries: number = 3) {}

  /** Adds a job at the end of the queue. */
  push(job: Job): void {
    this.jobs.push(job);
    this.counters.enqueued++;
  }

  /** Called when a job throws: requeue it unless it has used up its retries. */
  handleFailure = (job: Job, error: Error): void => {
    job.attempts++;
    if (job.attempts > this.maxRetries) {
      job.state = JobState.Retrying;
      this.jobs.push(job);
      this.counters.retried++;
    } else {
      job.state = JobState.Failed;
      job.error = error;
      this.counters.failed++;
    }
  };

  /** Runs the next job, if any. */
  async runNext(): Promise<boolean> {
    const job = this.jobs.shift();
    if (!job) return false;
    this.counters.started++;
    try {
      await job.run();
      job.state = JobState.Done;
      this.counters.finished++;
    } catch (error) {
      this.handleFailure(job, error as Error);
    }
    return true;
  }

  /** How many jobs enqueued this queue has seen. */
  get enqueued(): number {
    return this.counters.enqueued;
  }

  /** Forgets the jobs enqueued counted so far. */
  resetEnqueued(): void {
    this.counters.enqueued = 0;
  }

  /** How many jobs started this queue has seen. */
  get started(): number {
    return this.counters.started;
  }

  /** Forgets the jobs started counted so far. */
  resetStarted(): void {
    this.counters.started = 0;
  }

  /** How many jobs finished this queue has seen. */
  get finished(): number {
    return this.counters.finished;
  }

  /** Forgets the jobs finished counted so far. */
  resetFinished(): void {
    this.counters.finished = 0;
  }

  /** How many failed jobs this queue has seen. */
  get failed(): number {
    return this.counters.failed;
  }

  /** Forgets the failed jobs counted so far. */
  resetFailed(): void {
    this.counters.failed = 0;
  }

  /** How many retried jobs this queue has seen. */
  get retried(): number {
    return this.counters.retried;
  }

  /** Forgets the retried jobs counted so far. */
  resetRetried(): void {
    this.counters.retried = 0;
  }

  /** How many cancelled jobs this queue has seen. */
  get cancelled(): number {
    return this.counters.cancelled;
  }

  /** Forgets the cancelled jobs counted so far. */
  resetCancelled(): void {
    this.counters.cancelled = 0;
  }
}
