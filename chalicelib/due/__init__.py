"""The due function: what an event is owed at a time (closing mail, reminders, digests), sent once."""
