"""The foot of a plan: the distribution list ("Nơi nhận") and the signature block.

In PDF extractions the two sit side by side, so a recipient line may end with "CHỦ TỊCH" from
the signature column; those pieces are moved back to the signature.
"""

from __future__ import annotations

import re

from .lexicon import WORD, is_syllable
from .text import clean, is_upper_text

RECIPIENTS_HEAD = re.compile(r"^\W*N\s?ơi\s+nh[ậa ]n\s*:?\s*(?P<rest>.*)$", re.IGNORECASE)
AUTHORITY = re.compile(r"^(?P<auth>TM|KT|Q|TL|TUQ)(?:\s*\.\s*|\s{2,}|\.?\s)(?P<rest>\S.*)$")
POSITION_WORDS = re.compile(
    r"^(?:PHÓ\s+)?(?:CHỦ\s+TỊCH|TRƯỞNG\s+\S+|GIÁM\s+ĐỐC|BÍ\s+THƯ|CHÁNH\s+VĂN\s+PHÒNG|"
    r"TRƯỞNG|CHÁNH\s+THANH\s+TRA|THỦ\s+TRƯỞNG|KT\.|TM\.)",
)
SIGNATURE_TAIL = re.compile(
    r"(?:;|\s{2,})\s*(?P<tail>(?:(?:TM|KT|Q|TL|TUQ)\s*\.?\s+)?(?:PHÓ\s+)?(?:CHỦ\s+TỊCH|ỦY\s+BAN\s+NHÂN\s+DÂN|"
    r"GIÁM\s+ĐỐC|TRƯỞNG\s+[A-ZĐ]+|BÍ\s+THƯ))\s*$",
)
ARCHIVE = re.compile(r"^\W*(?:L?\s?ư\s?u?)\s*:|^\W*Lưu\b", re.IGNORECASE)


def readable(text: str) -> bool:
    """Enough of the words survive to show the value; otherwise it is ``None``."""
    words = WORD.findall(re.sub(r"\([^)]*\)", " ", text))
    if not words:
        return False
    good = [w for w in words if (len(w) >= 2 and (is_syllable(w) or w.isupper()))]
    bad = [w for w in words if not is_syllable(w) and not (w.isupper() and len(w) >= 2)]
    return bool(good) and len(bad) <= len(words) // 4 and "   " not in text.strip()


def split_recipients(lines: list[str]) -> tuple[list[tuple[int, str]], list[str]]:
    """Recipient lines (index, text) and the signature pieces found at their ends."""
    recipients: list[tuple[int, str]] = []
    tails: list[str] = []
    for index, line in enumerate(lines):
        text = line.strip()
        match = SIGNATURE_TAIL.search(text)
        if match and not text.lstrip("-+• ").startswith(match.group("tail")):
            tails.append(clean(match.group("tail")))
            text = text[: match.start()].rstrip()
        if not text.startswith(("-", "+", "•")):
            continue
        item = text.lstrip("-+• ").strip().rstrip(";,. ").strip()
        if not item or ARCHIVE.match(item):
            continue
        recipients.append((index, item))
    return recipients, tails


def read_signer(lines: list[str], tails: list[str]) -> dict[str, str | None] | None:
    """Authority (innermost mark), position and name from the last lines of the document."""
    pieces = [clean(line) for line in lines if clean(line)]
    upper = [p for p in pieces if is_upper_text(p) and len(p) <= 60]
    authority = None
    position = None
    for piece in [*tails, *upper]:
        match = AUTHORITY.match(piece)
        if match:
            authority = f"{match.group('auth')}."
            rest = clean(match.group("rest"))
            if POSITION_WORDS.match(rest):
                position = rest
        elif POSITION_WORDS.match(piece):
            position = piece
    name = None
    for piece in reversed(pieces):
        if is_upper_text(piece) or any(ch.isdigit() for ch in piece):
            break
        words = piece.split()
        if 2 <= len(words) <= 6 and all(w[:1].isupper() for w in words):
            name = piece if all(is_syllable(w) for w in words) else None
            break
        break
    if authority is None and position is None and name is None:
        return None
    return {"name": name, "position": position, "authority": authority}
