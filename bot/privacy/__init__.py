"""Personal data of workers (个人信息保护法): see it, erase it, and purge it after the retention period.

    records    everything stored about one worker, read in one transaction (for /mydata)
    report     those records as plain Chinese messages that fit a phone
    erase      erase one worker's personal data (tickets, events, outbox, conversation) in one transaction
    retention  the daily purge of tickets finished more than RETENTION_DAYS ago, and idle conversations
    flow       the dialogue's /mydata and /forget (with a confirmation button)

The columns that hold personal data are listed in `bot.storage.migrations`; the ticket-side
blanking is `bot.tickets.erasure`, which this package builds on.
"""
