"""What the service is about, pure: events and their window, submissions and their rules, registrations,
e-mail addresses and signed links. No I/O; the clock is a parameter."""
