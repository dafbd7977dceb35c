"""SQLite storage: one connection per process (`db.Database`) and the schema (`migrations`)."""
