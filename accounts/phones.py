import re

PHONE_RE = re.compile(r"^(?:\+7|8|7)(\d{10})$")


def normalise_phone(value: str) -> str | None:
    """+7XXXXXXXXXX from the ways people write Russian numbers, or None if it is not one."""
    digits = re.sub(r"[\s\-().]", "", value or "")
    match = PHONE_RE.match(digits)
    return f"+7{match.group(1)}" if match else None
