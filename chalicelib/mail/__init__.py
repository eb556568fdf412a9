"""Mail: what each mail says, MIME, sending through SES exactly once (the mail function's outbox),
SES's bounces and complaints (the feedback function), and alerts to the admin."""
