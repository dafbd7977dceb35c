"""工友 bot: everything with I/O — dialogue, tickets, scheduler and channel adapters."""
