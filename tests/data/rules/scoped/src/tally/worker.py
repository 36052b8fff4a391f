"""Background jobs."""


def run_job(job):
    return job()
