"""Fill letters that a PDF extraction lost, only where the word can be inferred with confidence.

Lost glyphs come out as spaces, one per letter ("tiếp" → "ti p", "người" → "  ười"), so a broken
stretch is matched against words that fit letter for letter. Candidates come from the document's own
intact words and a built-in administrative vocabulary; neighbouring words that are known to follow
each other break ties. A word is filled only when one candidate fits or the context singles it out;
anything else is left as it was, and every change is reported so it can be flagged ``repaired``.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import WORD, builtin, builtin_index, is_syllable, masks

MAX_WORD = 7
_WORD_SPLIT = re.compile(f"({WORD.pattern})")
# Letters a window's best path can still gain from a known pair of neighbouring words.
_PAIR_BONUS = 2.5


@dataclass(frozen=True)
class Change:
    start: int
    end: int
    old: str
    new: str


def _tokens(text: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, word, is a syllable) for each run of letters (``WORD``); split is the fast way to find them."""
    parts = _WORD_SPLIT.split(text)  # text between words, word, text between words, ...
    out = []
    pos = len(parts[0])
    for k in range(1, len(parts), 2):
        word = parts[k]
        end = pos + len(word)
        out.append((pos, end, word, _valid(word)))
        pos = end + len(parts[k + 1])
    return out


@lru_cache(maxsize=8192)
def _valid(word: str) -> bool:
    return is_syllable(word)


def _is_acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper() and not _valid(word)


def _trust(text: str, tokens: list[tuple[int, int, str, bool]]) -> list[bool]:
    """Which tokens are intact words: valid, not beside a gap, not glued to a fragment."""
    size = len(text)
    # A neighbour that is neither a syllable nor an acronym is a fragment of a broken word.
    fragment = [not valid and not _is_acronym(word) for _s, _e, word, valid in tokens]
    last = len(tokens) - 1
    out = []
    for i, (start, end, _word, valid) in enumerate(tokens):
        if not valid:
            out.append(False)
            continue
        if start >= 2 and text[start - 1] == " " and (text[start - 2] == " " or text[start - 2] in "(“["):
            out.append(False)
            continue
        if end + 1 < size and text[end] == " " and text[end + 1] == " ":
            out.append(False)
            continue
        if i and tokens[i - 1][1] == start - 1 and fragment[i - 1]:
            out.append(False)
            continue
        out.append(not (i < last and tokens[i + 1][0] == end + 1 and fragment[i + 1]))
    return out


class Repairer:
    """Built once per document: its vocabulary is the document's intact words plus the built-in one.

    Everything a window's search asks that depends only on the vocabulary (the words fitting a
    stretch of text, how a fragment scores) is remembered for the document, since gaps repeat.
    """

    def __init__(self, texts: list[str]) -> None:
        base_words, base_pairs = builtin()
        words: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        for text in texts:
            tokens = _tokens(text)
            trusted = _trust(text, tokens)
            prev_trusted = False
            prev_end = -2
            prev_low = ""
            for (start, end, word, _valid), ok in zip(tokens, trusted, strict=True):
                if ok:
                    low = word.lower()
                    words[low] += 1
                    if prev_trusted and prev_end == start - 1 and text[start - 1] == " ":
                        pairs[(prev_low, low)] += 1
                    prev_low = low
                prev_trusted, prev_end = ok, end
        # A word seen once, and in no vocabulary, may itself be a fragment ("tru ền" → "ền").
        words = Counter({word: n for word, n in words.items() if n >= 2 or word in base_words})
        pairs = Counter({pair: n for pair, n in pairs.items() if pair[0] in words and pair[1] in words})
        self.base = base_words
        self.counts = base_words + words
        self.pairs = base_pairs + pairs
        self.index = builtin_index()
        self.extra: dict[str, list[str]] = {}
        # Per document memos: words fitting a masked key (bare and scored), fragment scores.
        self._options: dict[str, tuple[str, ...]] = {}
        self._keyed: dict[str, tuple[tuple[str, float, tuple[bool, str]], ...]] = {}
        self._fragments: dict[str, tuple[bool, float]] = {}
        self._verdicts: dict[tuple[str, str, str | None, str | None], bool] = {}
        for word in words:
            if word not in base_words and len(word) <= MAX_WORD:
                for key in masks(word):
                    self.extra.setdefault(key, []).append(word)

    def candidates(self, key: str) -> list[str]:
        return list(self._candidates(key))

    def _candidates(self, key: str) -> tuple[str, ...]:
        found = self._options.get(key)
        if found is None:
            found = self._options[key] = self.index.get(key, ()) + tuple(self.extra.get(key, ()))
        return found

    def _fits(self, key: str) -> tuple[tuple[str, float, tuple[bool, str]], ...]:
        """Words that fit ``key`` (a stretch with lost letters as spaces), their base score and the
        search state reading them leads to."""
        found = self._keyed.get(key)
        if found is None:
            if key not in self.index and key not in self.extra:
                found = ()
            else:
                lost = key.count(" ")
                counts = self.counts
                found = tuple(
                    (cand, 0.35 * math.log1p(counts[cand]) - 0.8 * lost, (True, cand))
                    for cand in self._candidates(key)
                )
            self._keyed[key] = found
        return found

    def _fills(self, low: str, i: int, ends: list[bool]) -> list[tuple[int, tuple[tuple[str, float, tuple[bool, str]], ...]]]:
        """Words that fit the text at ``i`` with at least one lost letter: (end, fitting words) by end.

        A fitting stretch holds a lost letter (a space) and ends where ``ends`` allows; a lost first
        letter must follow an opening character or the start."""
        if low[i] == " " and i > 0 and low[i - 1] not in _OPENERS:
            return []
        gap = low.find(" ", i, i + MAX_WORD)
        if gap < 0:
            return []
        out = []
        keyed = self._keyed
        for end in range(gap + 1, min(i + MAX_WORD, len(low)) + 1):
            if ends[end]:
                key = low[i:end]
                found = keyed.get(key)
                if found is None:
                    found = self._fits(key)
                if found:
                    out.append((end, found))
        return out

    def repair(self, text: str) -> tuple[str, list[Change]]:
        """Same length out as in: each filled letter takes the place of the space it became."""
        tokens = _tokens(text)
        if not tokens:
            return text, []
        suspicious = self._suspicious_tokens(text, tokens)
        chars = list(text)
        changes: list[Change] = []
        count = len(tokens)
        i = floor = 0
        while i < count:
            if not suspicious[i]:
                i += 1
                continue
            first = max(floor, i - 2)
            last = i
            while any(suspicious[last + 1 : last + 4]):
                last += 1
            last = min(count - 1, last + 2)
            a = tokens[first - 1][1] if first > 0 else 0
            if first > 0 and a < len(text) and text[a] == " ":
                a += 1
            if first == 0:
                a = 0
            b = tokens[last + 1][0] if last + 1 < count else len(text)
            if last + 1 < count and b > 0 and text[b - 1] == " ":
                b -= 1
            for change in self._window(text, a, b):
                chars[change.start : change.end] = list(change.new)
                changes.append(change)
            i = floor = last + 1
        return "".join(chars), changes

    def _suspicious_tokens(self, text: str, tokens: list[tuple[int, int, str, bool]]) -> list[bool]:
        """Tokens that may hide lost letters: broken, beside a gap, or unknown (acronyms excepted)."""
        counts = self.counts
        size = len(text)
        out = []
        for start, end, word, valid in tokens:
            if not valid:
                out.append(len(word) < 2 or not word.isupper())  # an acronym is not suspicious
            elif start >= 2 and text[start - 1] == " " and (text[start - 2] == " " or text[start - 2] in "(“["):
                out.append(True)
            elif end + 1 < size and text[end] == " " and text[end + 1] == " ":
                out.append(True)
            else:
                out.append(word.lower() not in counts)
        return out

    def _fragment(self, fragment: str) -> tuple[bool, float]:
        """Whether an intact run of letters is a known word (acronyms aside), and its score if so."""
        found = self._fragments.get(fragment)
        if found is None:
            known = (fragment in self.base and (len(fragment) > 1 or self.base[fragment] > 0)) or (
                len(fragment) > 1 and fragment in self.counts
            )
            found = self._fragments[fragment] = (known, 0.35 * math.log1p(self.counts[fragment]))
        return found

    def _window(self, text: str, a: int, b: int) -> list[Change]:
        """Best reading of ``text[a:b]``: a left-to-right search over word boundaries, keeping per
        position at most four states (whether a separator is needed, last word read) with a score."""
        window = text[a:b]
        low = window.lower()
        n = len(low)
        alpha = [ch.isalpha() for ch in low]
        pairs = self.pairs
        # best[pos]: state (need_sep, last word) -> (score, previous pos, previous state, word filled)
        best: list[dict[tuple[bool, str | None], tuple] | None] = [None] * (n + 1)
        best[0] = {(False, None): (0.0, -1, None, None)}
        # Where a filled word may end: before a non-letter, and a lost last letter only before a closer.
        ends = [False] * (n + 1)
        ends[n] = True
        for e in range(1, n):
            if not alpha[e] and not (low[e - 1] == " " and low[e] not in _CLOSERS):
                ends[e] = True
        fills: list[tuple[int, tuple[tuple[str, float, tuple[bool, str]], ...]]] | None

        for i in range(n):
            states = best[i]
            if not states:
                continue
            if len(states) > 4:
                states = best[i] = dict(sorted(states.items(), key=lambda item: -item[1][0])[:4])
            ch = low[i]
            if ch == " ":
                fills = None if i == 0 or not alpha[i - 1] else []
                target = best[i + 1]
                if target is None:
                    target = best[i + 1] = {}
                for state, entry in states.items():
                    need_sep, last = state
                    score = entry[0]
                    moved = score - 0.3
                    after = (False, last)
                    old = target.get(after)
                    if old is None or moved > old[0]:
                        target[after] = (moved, i, state, None)
                    if not need_sep:
                        if fills is None:
                            fills = self._fills(low, i, ends)
                        if fills:
                            self._push_fills(best, pairs, fills, i, state, last, score)
            elif not alpha[i]:
                target = best[i + 1]
                if target is None:
                    target = best[i + 1] = {}
                after = (False, None)
                for state, entry in states.items():
                    score = entry[0]
                    old = target.get(after)
                    if old is None or score > old[0]:
                        target[after] = (score, i, state, None)
            elif i == 0 or not alpha[i - 1]:
                fills = None
                j = i + 1
                while j < n and alpha[j]:
                    j += 1
                fragment = low[i:j]
                known, score_if_known = self._fragment(fragment)
                known = known or _is_acronym(window[i:j])
                base = score_if_known if known else -2.5
                reading = (True, fragment if known else None)
                target = best[j]
                if target is None:
                    target = best[j] = {}
                for state, entry in states.items():
                    need_sep, last = state
                    if need_sep:
                        continue
                    score = entry[0]
                    gain = base
                    if known and last is not None and (last, fragment) in pairs:
                        gain += _PAIR_BONUS
                    total = score + gain
                    old = target.get(reading)
                    if old is None or total > old[0]:
                        target[reading] = (total, i, state, None)
                    if fills is None:
                        fills = self._fills(low, i, ends)
                    if fills:
                        self._push_fills(best, pairs, fills, i, state, last, score)
            # Inside a word no state moves on: a reading only starts at a word's first letter.
        final = best[n]
        if not final:
            return []
        state = max(final, key=lambda s: final[s][0])
        picks: list[tuple[str, int, int]] = []
        _score, pos, state, pick = final[state]
        while pos >= 0:
            if pick is not None:
                picks.append(pick)
            _score, pos, state, pick = best[pos][state]  # type: ignore[index]
        picks.reverse()
        out = []
        for (cand, i, end), (prev, prev_weak, nxt, next_weak) in zip(
            picks, self._neighbours(low, picks), strict=True
        ):
            key = low[i:end]
            if _mostly_lost(key):
                # Two guesses cannot vouch for each other ("p     u" is not "phát huy").
                prev = None if prev_weak else prev
                nxt = None if next_weak else nxt
            if not self._confident(key, cand, prev, nxt):
                continue
            original = window[i:end]
            out.append(Change(a + i, a + end, original, _with_case(cand, original)))
        return out

    @staticmethod
    def _push_fills(
        best: list,
        pairs: Counter[tuple[str, str]],
        fills: list[tuple[int, tuple[tuple[str, float, tuple[bool, str]], ...]]],
        i: int,
        state: tuple[bool, str | None],
        last: str | None,
        score: float,
    ) -> None:
        """From ``state`` at ``i``, read each fitting word."""
        for end, found in fills:
            target = best[end]
            if target is None:
                target = best[end] = {}
            for cand, fill_gain, reading in found:
                gain = fill_gain
                if last is not None and (last, cand) in pairs:
                    gain += _PAIR_BONUS
                total = score + gain
                old = target.get(reading)
                if old is None or total > old[0]:
                    target[reading] = (total, i, state, (cand, i, end))

    def _neighbours(
        self, low: str, picks: list[tuple[str, int, int]]
    ) -> list[tuple[str | None, bool, str | None, bool]]:
        """For each filled word, the words just before and after it as finally read (one space apart, else
        ``None``), and whether each is itself a guess.

        A filled word starts after a non-letter and ends before one, so when every word of the window
        is made of letters only, words and filled words never overlap and a merge in text order is
        enough; otherwise the general reading (:meth:`_words_around`) decides."""
        parts = _WORD_SPLIT.split(low)
        if not all(word.isalpha() for word in parts[1::2]):
            around = self._words_around(low, picks)
            return [
                (*around.get((i, "prev"), (None, False)), *around.get((end, "next"), (None, False)))
                for _cand, i, end in picks
            ]
        spans: list[tuple[int, int, str, bool]] = []
        where: list[int] = []  # index in spans of each pick
        k, count = 0, len(picks)
        pos = len(parts[0])
        for n in range(1, len(parts), 2):
            word = parts[n]
            end = pos + len(word)
            while k < count and picks[k][2] <= pos:
                cand, i, stop = picks[k]
                where.append(len(spans))
                spans.append((i, stop, cand, _mostly_lost(low[i:stop])))
                k += 1
            if not (k < count and picks[k][1] <= pos):  # a word inside a filled one is not read
                spans.append((pos, end, word, False))
            pos = end + len(parts[n + 1])
        for cand, i, stop in picks[k:]:
            where.append(len(spans))
            spans.append((i, stop, cand, _mostly_lost(low[i:stop])))
        out: list[tuple[str | None, bool, str | None, bool]] = []
        last = len(spans) - 1
        for index in where:
            start, end = spans[index][0], spans[index][1]
            before = spans[index - 1] if index and spans[index - 1][1] + 1 == start else None
            after = spans[index + 1] if index < last and spans[index + 1][0] == end + 1 else None
            out.append((
                before[2] if before else None, before[3] if before else False,
                after[2] if after else None, after[3] if after else False,
            ))
        return out

    def _words_around(
        self, low: str, picks: list[tuple[str, int, int]]
    ) -> dict[tuple[int, str], tuple[str, bool]]:
        """The word before and after each filled word, as finally read, and whether it is a guess."""
        covered = bytearray(len(low))
        for _cand, i, end in picks:
            covered[i:end] = b"\x01" * (end - i)
        spans = [(m.start(), m.end(), m.group(), False) for m in WORD.finditer(low) if not covered[m.start()]]
        spans.extend((i, end, cand, _mostly_lost(low[i:end])) for cand, i, end in picks)
        spans.sort()
        out: dict[tuple[int, str], tuple[str, bool]] = {}
        for k, (start, end, _word, _weak) in enumerate(spans):
            if k and spans[k - 1][1] + 1 == start:
                out[(start, "prev")] = (spans[k - 1][2], spans[k - 1][3])
            if k + 1 < len(spans) and spans[k + 1][0] == end + 1:
                out[(end, "next")] = (spans[k + 1][2], spans[k + 1][3])
        return out

    def _confident(self, key: str, cand: str, prev: str | None, nxt: str | None) -> bool:
        """One candidate that fits, or the only one its neighbours are known to stand beside."""
        memo = (key, cand, prev, nxt)
        found = self._verdicts.get(memo)
        if found is None:
            found = self._verdicts[memo] = self._decide(key, cand, prev, nxt)
        return found

    def _decide(self, key: str, cand: str, prev: str | None, nxt: str | None) -> bool:
        options = set(self._candidates(key))
        lost = key.count(" ")
        if len(options) == 1 and lost <= len(key) - lost:
            return True

        def support(word: str) -> int:
            return int(bool(prev and (prev, word) in self.pairs)) + int(
                bool(nxt and (word, nxt) in self.pairs)
            )

        mine = support(cand)
        if mine == 0:
            return False
        return all(support(other) < mine for other in options if other != cand)


_OPENERS = " ([“\"'«/-–"
_CLOSERS = " ,.;:)]”\"'»?!/-–…"


def _mostly_lost(key: str) -> bool:
    lost = key.count(" ")
    return lost > len(key) - lost


@lru_cache(maxsize=4096)
def _with_case(word: str, original: str) -> str:
    visible = [ch for ch in original if ch != " "]
    if len(visible) >= 2 and all(ch.isupper() for ch in visible if ch.isalpha()):
        return word.upper()
    if original[0] != " " and original[0].isupper():
        return word[0].upper() + word[1:]
    return word
