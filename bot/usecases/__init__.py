"""What people and the scheduler do: each use case reads the facts, asks the domain,
performs the side effects and records the outcome. Imports domain, store and partners,
never Slack listeners or the scheduler."""
