"""Follow-up that never forgets: SLA clocks, reminders, digests and surveys on APScheduler."""
