"""What admins do, through the admin API or the command line: event files, exports, personal data."""
