"""The one exception type for problems a user can fix."""


class PublishError(Exception):
    """An expected failure: bad input or configuration, named with what to do about it.

    doit shows its message as a task failure and the script as an exit status, never as a traceback.
    """
