"""Fill letters that a PDF extraction lost, only where the word can be inferred with confidence.

Lost glyphs come out as spaces, one per letter ("tiếp" → "ti p", "người" → "  ười"), so a broken
stretch is matched against words that fit letter for letter. Candidates come from the document's own
intact words and a built-in administrative vocabulary; neighbouring words that are known to follow
each other break ties. A word is filled only when one candidate fits or the context singles it out;
anything else is left as it was, and every change is reported so it can be flagged ``repaired``.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import WORD, builtin, builtin_index, is_syllable, masks

MAX_WORD = 7


@dataclass(frozen=True)
class Change:
    start: int
    end: int
    old: str
    new: str


def _tokens(text: str) -> list[tuple[int, int, str, bool]]:
    return [(m.start(), m.end(), m.group(), _valid(m.group())) for m in WORD.finditer(text)]


@lru_cache(maxsize=8192)
def _valid(word: str) -> bool:
    return is_syllable(word)


def _is_acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper() and not is_syllable(word)


class Repairer:
    """Built once per document: its vocabulary is the document's intact words plus the built-in one."""

    def __init__(self, texts: list[str]) -> None:
        base_words, base_pairs = builtin()
        words: Counter[str] = Counter()
        pairs: Counter[tuple[str, str]] = Counter()
        for text in texts:
            tokens = _tokens(text)
            trusted = [self._trusted(text, tokens, i) for i in range(len(tokens))]
            for i, (start, _end, word, _valid) in enumerate(tokens):
                if not trusted[i]:
                    continue
                words[word.lower()] += 1
                if i and trusted[i - 1] and tokens[i - 1][1] == start - 1 and text[start - 1] == " ":
                    pairs[(tokens[i - 1][2].lower(), word.lower())] += 1
        # A word seen once, and in no vocabulary, may itself be a fragment ("tru ền" → "ền").
        words = Counter({word: n for word, n in words.items() if n >= 2 or word in base_words})
        pairs = Counter({pair: n for pair, n in pairs.items() if pair[0] in words and pair[1] in words})
        self.base = base_words
        self.counts = base_words + words
        self.pairs = base_pairs + pairs
        self.index = builtin_index()
        self.extra: dict[str, list[str]] = {}
        self._cache: dict[tuple[str, str], list[tuple[int, str, float]]] = {}
        for word in words:
            if word not in base_words and len(word) <= MAX_WORD:
                for key in masks(word):
                    self.extra.setdefault(key, []).append(word)

    @staticmethod
    def _trusted(text: str, tokens: list[tuple[int, int, str, bool]], i: int) -> bool:
        start, end, _word, valid = tokens[i]
        if not valid:
            return False
        if start >= 2 and text[start - 1] == " " and text[start - 2] == " ":
            return False
        if end + 1 < len(text) and text[end] == " " and text[end + 1] == " ":
            return False
        if start >= 2 and text[start - 1] == " " and text[start - 2] in "(“[":
            return False
        if i and tokens[i - 1][1] == start - 1 and not tokens[i - 1][3] and not _is_acronym(tokens[i - 1][2]):
            return False
        after = tokens[i + 1] if i + 1 < len(tokens) else None
        return not (after and after[0] == end + 1 and not after[3] and not _is_acronym(after[2]))

    def candidates(self, key: str) -> list[str]:
        return list(self.index.get(key, ())) + self.extra.get(key, [])

    def _fills(self, low: str, i: int) -> list[tuple[int, str, float]]:
        """Words that fit the text at ``i`` with at least one lost letter, and their base score."""
        key = (low[i - 1 : i], low[i : i + MAX_WORD + 1])
        cached = self._cache.get(key)
        if cached is None:
            piece = key[0] + key[1]
            offset = len(key[0])
            cached = [(end - offset, cand, gain) for end, cand, gain in self._compute_fills(piece, offset)]
            self._cache[key] = cached
        return [(i + end, cand, gain) for end, cand, gain in cached]

    def _compute_fills(self, low: str, i: int) -> list[tuple[int, str, float]]:
        out = []
        n = len(low)
        for length in range(1, MAX_WORD + 1):
            end = i + length
            if end > n:
                break
            if end < n and low[end].isalpha():
                continue
            key = low[i:end]
            lost = key.count(" ")
            if not lost or not _bounded(low, i, end):
                continue
            for cand in self.index.get(key, ()) + tuple(self.extra.get(key, ())):
                out.append((end, cand, 0.35 * math.log1p(self.counts[cand]) - 0.8 * lost))
        return out

    def repair(self, text: str) -> tuple[str, list[Change]]:
        """Same length out as in: each filled letter takes the place of the space it became."""
        tokens = _tokens(text)
        if not tokens:
            return text, []
        suspicious = [self._suspicious(text, tok) for tok in tokens]
        chars = list(text)
        changes: list[Change] = []
        i = floor = 0
        while i < len(tokens):
            if not suspicious[i]:
                i += 1
                continue
            first = max(floor, i - 2)
            last = i
            while any(suspicious[k] for k in range(last + 1, min(len(tokens), last + 4))):
                last += 1
            last = min(len(tokens) - 1, last + 2)
            a = tokens[first - 1][1] if first > 0 else 0
            if first > 0 and a < len(text) and text[a] == " ":
                a += 1
            if first == 0:
                a = 0
            b = tokens[last + 1][0] if last + 1 < len(tokens) else len(text)
            if last + 1 < len(tokens) and b > 0 and text[b - 1] == " ":
                b -= 1
            for change in self._window(text, a, b):
                chars[change.start : change.end] = list(change.new)
                changes.append(change)
            i = floor = last + 1
        return "".join(chars), changes

    def _suspicious(self, text: str, tok: tuple[int, int, str, bool]) -> bool:
        start, end, word, valid = tok
        if _is_acronym(word):
            return False
        if not valid:
            return True
        if start >= 2 and text[start - 1] == " " and text[start - 2] == " ":
            return True
        if end + 1 < len(text) and text[end] == " " and text[end + 1] == " ":
            return True
        if start >= 2 and text[start - 1] == " " and text[start - 2] in "(“[":
            return True
        return word.lower() not in self.counts

    def _window(self, text: str, a: int, b: int) -> list[Change]:
        window = text[a:b]
        low = window.lower()
        n = len(low)
        # state: (need_sep, last word) -> (score, back pointer)
        best: list[dict[tuple[bool, str | None], tuple[float, tuple | None]]] = [{} for _ in range(n + 1)]
        best[0][(False, None)] = (0.0, None)

        def push(pos: int, state: tuple[bool, str | None], score: float, back: tuple) -> None:
            old = best[pos].get(state)
            if old is None or score > old[0]:
                best[pos][state] = (score, back)

        for i in range(n):
            if not best[i]:
                continue
            if len(best[i]) > 4:
                keep = sorted(best[i].items(), key=lambda item: -item[1][0])[:4]
                best[i] = dict(keep)
            ch = low[i]
            letter_start = (i == 0 or not low[i - 1].isalpha()) and (ch.isalpha() or ch == " ")
            fills = self._fills(low, i) if letter_start else []
            fragment = ""
            if letter_start and ch.isalpha():
                j = i
                while j < n and low[j].isalpha():
                    j += 1
                fragment = low[i:j]
                known = (
                    (fragment in self.base and (len(fragment) > 1 or self.base[fragment] > 0))
                    or (len(fragment) > 1 and fragment in self.counts)
                    or _is_acronym(window[i:j])
                )
                base = 0.35 * math.log1p(self.counts[fragment]) if known else -2.5
            for (need_sep, last), (score, _back) in list(best[i].items()):
                origin = (i, need_sep, last)
                if ch == " ":
                    push(i + 1, (False, last), score - 0.3, (origin, None))
                elif not ch.isalpha():
                    push(i + 1, (False, None), score, (origin, None))
                elif fragment and not need_sep:
                    gain = base
                    if known and last is not None and (last, fragment) in self.pairs:
                        gain += 2.5
                    push(i + len(fragment), (True, fragment if known else None), score + gain, (origin, None))
                if need_sep:
                    continue
                for end, cand, gain in fills:
                    if last is not None and (last, cand) in self.pairs:
                        gain += 2.5
                    push(end, (True, cand), score + gain, (origin, (cand, i, end)))
        if not best[n]:
            return []
        state = max(best[n], key=lambda s: best[n][s][0])
        picks: list[tuple[str, int, int]] = []
        pos, cursor = n, best[n][state][1]
        while cursor is not None:
            origin, pick = cursor
            if pick is not None:
                picks.append(pick)
            pos, need_sep, last = origin
            cursor = best[pos][(need_sep, last)][1]
        picks.reverse()
        words = self._words_around(low, picks)
        out = []
        for cand, i, end in picks:
            key = low[i:end]
            prev, prev_weak = words.get((i, "prev"), (None, False))
            nxt, next_weak = words.get((end, "next"), (None, False))
            if _mostly_lost(key):
                # Two guesses cannot vouch for each other ("p     u" is not "phát huy").
                prev = None if prev_weak else prev
                nxt = None if next_weak else nxt
            if not self._confident(key, cand, prev, nxt):
                continue
            original = window[i:end]
            out.append(Change(a + i, a + end, original, _with_case(cand, original)))
        return out

    def _words_around(
        self, low: str, picks: list[tuple[str, int, int]]
    ) -> dict[tuple[int, str], tuple[str, bool]]:
        """The word before and after each filled word, as finally read, and whether it is a guess."""
        chosen = {i: (cand, end) for cand, i, end in picks}
        spans: list[tuple[int, int, str, bool]] = []
        for m in WORD.finditer(low):
            if not any(i <= m.start() < end for i, (_c, end) in chosen.items()):
                spans.append((m.start(), m.end(), m.group(), False))
        spans.extend((i, end, cand, _mostly_lost(low[i:end])) for i, (cand, end) in chosen.items())
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
        options = set(self.candidates(key))
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


def _bounded(low: str, i: int, end: int) -> bool:
    """A lost first or last letter must sit against a space or punctuation, never a digit."""
    if low[i] == " " and i > 0 and low[i - 1] not in _OPENERS:
        return False
    return not (low[end - 1] == " " and end < len(low) and low[end] not in _CLOSERS)


def _with_case(word: str, original: str) -> str:
    visible = [ch for ch in original if ch != " "]
    if len(visible) >= 2 and all(ch.isupper() for ch in visible if ch.isalpha()):
        return word.upper()
    if original[0] != " " and original[0].isupper():
        return word[0].upper() + word[1:]
    return word
