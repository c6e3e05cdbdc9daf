"""Claim matching engine: fuzzy and meaning search over claims, and pairwise difference flags.

Database-free (no flask, no sqlmodel): the app feeds it (claim_id, text) pairs.
"""
from .flags import PairScore, difference_flags, score_bound, score_pair, score_pairs
from .index import ClaimIndex, HybridWeights, Match
from .normalise import normalise

__all__ = ["ClaimIndex", "HybridWeights", "Match", "PairScore", "difference_flags", "normalise",
           "score_bound", "score_pair", "score_pairs"]
