"""The scheduler's work: what each occurrence does (bot/entrypoints/scheduler.py only wires the
timer). `run_due` runs what is due now; `run_until` rehearses a stretch of time on a
`ManualClock`. See bot/jobs/run.py."""

from bot.jobs.run import due_instants, run_due, run_until

__all__ = ["due_instants", "run_due", "run_until"]
