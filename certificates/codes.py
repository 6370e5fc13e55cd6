"""Verification codes: 100 random bits a person can read off paper and type back.

Crockford's base-32 alphabet has no I, L, O or U, so nothing looks like 1, 0 or V; typing is
forgiving the same way (lower case, spaces and hyphens, O for 0, I and L for 1 all work).
"""

from __future__ import annotations

import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 20  # 20 × 5 = 100 bits
GROUP = 4
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1", "-": None, " ": None, "\u2010": None})


def new_code() -> str:
    """A fresh code, stored and compared in this form (no separators)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def display_code(code: str) -> str:
    """The code as printed: groups of four joined by hyphens."""
    return "-".join(code[i : i + GROUP] for i in range(0, len(code), GROUP))


def normalise_code(typed: str) -> str | None:
    """The stored form of what a person typed, or None if it cannot be a code."""
    # A code typed in full-width characters (a Chinese or Japanese keyboard) is the same code.
    code = typed.translate(_FULL_WIDTH).strip().upper().translate(_TYPED)
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code
