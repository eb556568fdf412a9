"""`make deploy`: check, package, upload and deploy the stack in one command (`python -m deploy`)."""


class DeployError(Exception):
    """A problem the person deploying has to fix; the message says what to do."""
