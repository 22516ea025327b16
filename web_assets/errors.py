"""The one exception type for problems a user can fix."""


class PublishError(Exception):
    """An expected failure: bad input or configuration, named with what to do about it.

    doit shows its message as a task failure and the script as an exit status, never as a traceback.
    """


def printable(text: str) -> str:
    """`text` with every non-printable character escaped (`\\x1b`, `\\n`), for one line on a terminal.

    Whatever came from outside (a server's status line, headers or error text, a manifest's uri)
    could otherwise move the cursor, recolour or retitle the terminal, or forge a line.
    """
    if text.isprintable():
        return text
    return "".join(char if char.isprintable() else _escape(char) for char in text)


def _escape(char: str) -> str:
    code = ord(char)
    return (
        f"\\x{code:02x}"
        if code < 0x100
        else f"\\u{code:04x}"
        if code < 0x10000
        else f"\\U{code:08x}"
    )
