"""Configuration: the checked settings, a stage's settings from `.chalice/config.json`, the AWS clients."""
