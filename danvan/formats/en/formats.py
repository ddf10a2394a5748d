"""English pages still show dates the Vietnamese way: the documents they describe are Vietnamese."""

from danvan.formats.vi.formats import *  # noqa: F403
