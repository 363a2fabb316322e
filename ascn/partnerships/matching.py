"""Matchmaking between city needs and partner offers: eligibility, a score that explains itself, rankings.

Pure computation (NumPy, SciPy's sparse matrices and scikit-learn's TF-IDF; no Django), so it can be
tested and benchmarked alone. The Django side builds `Need` and `Offer` values from its querysets (money
already converted to one currency), calls `prepare` once, and `rank` whenever the weights change.

**Eligibility is a hard filter.** A pair is ineligible, and never scored or ranked, when the need's country
is outside the offer's countries, its city outside the offer's cities, its stage not one of the stages the
offer serves (when the offer names stages and the need's stage is known), or its funding gap *far* outside
the offer's ticket range: more than `TICKET_FAR_OUTSIDE_FACTOR` (10) times smaller than the minimum ticket
or 10 times larger than the maximum (when the gap and that bound are known). A gap moderately outside the
range stays eligible and scores lower on ticket fit. Missing facts never exclude a pair.
`ineligibility(need, offer)` says why a pair is not eligible (a reason code and a translated message).

**The score** is the weighted mean of five components, each in [0, 1] (`COMPONENTS`):

- `framework`: Jaccard overlap of the framework tags (focus areas and enablers): tags both have / tags either has;
- `ticket`: 1 inside the offer's ticket range, falling linearly in log scale to 0 at 10 times outside it
  (at the eligibility boundary); with one bound only, measured against that bound;
- `kind`: the share of the kinds of support the need asks for that the offer gives, |N ∩ O| / |N| (the
  Django side may add to a need's kinds the instruments the financing guide finds suitable for its project,
  so that offers of those instruments fit);
- `stage_readiness`: the mean of a stage fit (1 when the offer names the need's stage among the few it
  serves, `NEUTRAL` when it serves any stage) and the readiness score / 100;
- `text`: cosine similarity of the TF-IDF vectors of character 2- to 4-grams within words of both
  descriptions (fitted on the needs' and the offers' texts together). Text is normalised first (NFC,
  casefold, Latin diacritics removed so that "giao thông" meets "giao thong"; Thai is left as written), so
  it works across English, Vietnamese and Thai without any download.

A component whose input is missing on either side (no tags, no gap, no ticket range, no kinds, no stage,
no readiness, no text) scores `NEUTRAL` (0.5): not knowing is neither a good nor a bad fit.
Weights (`Weights`) need not sum to 1: they are normalised; a negative weight is refused. Each match
carries every component's raw value, its normalised weight and its contribution (value x weight); the
score is the sum of the contributions.

**Ranking is stable**: by score (highest first), then by text similarity (highest first), then by id
(lowest first: the offer's for a need's ranking, the need's for an offer's).

**Memory is bounded**: needs are processed in chunks of `chunk_size` rows, by `workers` threads at once
(NumPy's and SciPy's loops release the GIL, so the two cores of a small server both work); each chunk holds
at most about `CHUNK_ARRAYS` (12) dense chunk_size x n_offers float64 arrays (the five components, the
score and temporaries), so memory stays within 12 x 8 x chunk_size x n_offers x workers bytes besides the
inputs, and the default chunk size keeps that under `DEFAULT_CHUNK_BYTES` (16 MiB; 10,000 x 2,000 never
builds more than two chunks of 43 needs). The rankings kept are n_needs x k and n_offers x k.

The text similarity (a sparse product per chunk) is most of the time; `prepare` (the TF-IDF fit) is done
once per set of needs and offers, and `rank` again for every change of weights.
"""

from __future__ import annotations

import math
import os
import unicodedata
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, fields
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

from ascn.core.translator import gettext as _

try:  # SciPy's sparse product kernel, to skip its counting pass (see sparse_product_dense)
    from scipy.sparse._sparsetools import csr_matmat as _csr_matmat
except ImportError:  # pragma: no cover - a SciPy without it: the public product
    _csr_matmat = None

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

COMPONENTS: tuple[str, ...] = ("framework", "ticket", "kind", "stage_readiness", "text")
TEXT = COMPONENTS.index("text")
NEUTRAL = 0.5  # the value of a component whose input is missing on either side
TICKET_FAR_OUTSIDE_FACTOR = 10.0  # a gap this many times outside the ticket range makes the pair ineligible
NGRAM_RANGE = (2, 4)
DEFAULT_CHUNK_BYTES = 16 * 2**20
DEFAULT_WORKERS = 2
CHUNK_ARRAYS = 12  # dense chunk x offers float64 arrays alive at once, at most (for the memory bound)
_LOG_FACTOR = math.log(TICKET_FAR_OUTSIDE_FACTOR)
_TINY = 1e-300  # a gap of 0 is treated as this, so that its logarithm is finite


# --- Inputs -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Need:
    """What a city asks for. Money is in the one currency the offers' tickets are converted to."""

    id: int
    country_id: int
    city_id: int
    tag_ids: frozenset[int] = frozenset()   # framework focus areas and enablers
    stage: str = ""                         # the project's stage ("" unknown)
    readiness: float | None = None          # readiness score 0-100 (None unknown)
    funding_gap: float | None = None        # amount still to find (None unknown)
    kinds: frozenset[str] = frozenset()     # kinds of support wanted (and suitable instruments)
    text: str = ""                          # description in English, Vietnamese or Thai


@dataclass(frozen=True)
class Offer:
    """What a partner puts on the table. Empty country/city/stage sets mean no restriction."""

    id: int
    country_ids: frozenset[int] = frozenset()  # eligible countries (empty: all)
    city_ids: frozenset[int] = frozenset()     # eligible cities (empty: every city of those countries)
    tag_ids: frozenset[int] = frozenset()
    stages: frozenset[str] = frozenset()       # project stages served (empty: any)
    min_ticket: float | None = None
    max_ticket: float | None = None
    kinds: frozenset[str] = frozenset()        # kinds of support and instruments offered
    text: str = ""


class WeightsError(ValueError):
    """Weights that cannot be used: a negative or non-finite weight, or all zero."""


@dataclass(frozen=True)
class Weights:
    """The weight of each component; normalised before use, so they need not sum to 1."""

    framework: float = 0.30
    ticket: float = 0.20
    kind: float = 0.15
    stage_readiness: float = 0.10
    text: float = 0.25

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or not math.isfinite(value):
                raise WeightsError(_("The weight of “%(component)s” must be a finite number.")
                                   % {"component": f.name})
            if value < 0:
                raise WeightsError(_("The weight of “%(component)s” is negative (%(value)s); weights must be zero "
                                     "or more.") % {"component": f.name, "value": value})
        if not any(getattr(self, f.name) > 0 for f in fields(self)):
            raise WeightsError(_("At least one weight must be above zero."))

    def normalised(self) -> FloatArray:
        """The weights in `COMPONENTS` order, divided by their sum."""
        raw = np.array([getattr(self, name) for name in COMPONENTS], dtype=np.float64)
        return raw / raw.sum()


# --- Eligibility --------------------------------------------------------------------------------------------


IneligibilityCode = Literal["outside_countries", "outside_cities", "stage_not_served", "gap_far_below_ticket",
                            "gap_far_above_ticket"]


@dataclass(frozen=True)
class Ineligibility:
    """Why a pair is not eligible: a stable code (for the API) and a message in the user's language."""

    code: IneligibilityCode
    message: str


def _amount(value: float) -> str:
    return f"{value:,.0f}"


def ineligibility(need: Need, offer: Offer) -> Ineligibility | None:
    """Why the pair is not eligible (the first failing rule, in the order of the docstring), or None if it is."""
    if offer.country_ids and need.country_id not in offer.country_ids:
        return Ineligibility("outside_countries", _("The city is outside the offer's countries."))
    if offer.city_ids and need.city_id not in offer.city_ids:
        return Ineligibility("outside_cities", _("The city is not one of the offer's cities."))
    if offer.stages and need.stage and need.stage not in offer.stages:
        return Ineligibility("stage_not_served", _("The offer does not serve projects at the “%(stage)s” stage.")
                             % {"stage": need.stage})
    gap = need.funding_gap
    if gap is not None and offer.min_ticket is not None and gap * TICKET_FAR_OUTSIDE_FACTOR < offer.min_ticket:
        return Ineligibility("gap_far_below_ticket", _(
            "The offer's minimum ticket (%(minimum)s) is more than %(factor)s times the funding gap (%(gap)s).")
            % {"gap": _amount(gap), "factor": f"{TICKET_FAR_OUTSIDE_FACTOR:g}", "minimum": _amount(offer.min_ticket)})
    if gap is not None and offer.max_ticket is not None and gap > offer.max_ticket * TICKET_FAR_OUTSIDE_FACTOR:
        return Ineligibility("gap_far_above_ticket", _(
            "The funding gap (%(gap)s) is more than %(factor)s times the offer's maximum ticket (%(maximum)s).")
            % {"gap": _amount(gap), "factor": f"{TICKET_FAR_OUTSIDE_FACTOR:g}", "maximum": _amount(offer.max_ticket)})
    return None


# --- Text ---------------------------------------------------------------------------------------------------


def normalise_text(text: str) -> str:
    """NFC, casefolded, without Latin combining diacritics (U+0300-U+036F) and with đ as d; Thai untouched."""
    decomposed = unicodedata.normalize("NFD", text.casefold().replace("đ", "d"))
    return unicodedata.normalize("NFC", "".join(c for c in decomposed if not "\u0300" <= c <= "\u036f"))


def text_vectorizer() -> TfidfVectorizer:
    """The TF-IDF of character 2- to 4-grams within words, on normalised text (no download, any script)."""
    return TfidfVectorizer(analyzer="char_wb", ngram_range=NGRAM_RANGE, preprocessor=normalise_text,
                           lowercase=False, sublinear_tf=True, dtype=np.float64)


# --- Prepared features --------------------------------------------------------------------------------------


def _index(values: Iterable[object]) -> dict[object, int]:
    return {value: i for i, value in enumerate(dict.fromkeys(values))}


def _bits(sets: Sequence[frozenset[object]], vocabulary: dict[object, int]) -> npt.NDArray[np.uint64]:
    """Each set as a row of 64-bit words, bit v set for member v of the vocabulary (for popcount overlaps)."""
    words = max(1, -(-len(vocabulary) // 64))
    table = np.zeros((len(sets), words), dtype=np.uint64)
    for row, values in enumerate(sets):
        for value in values:
            position = vocabulary[value]
            table[row, position // 64] |= np.uint64(1 << (position % 64))
    return table


def _log_bound(values: Sequence[float | None], missing: float) -> FloatArray:
    out = np.full(len(values), missing, dtype=np.float64)
    for i, value in enumerate(values):
        if value is not None:
            out[i] = math.log(value) if value > 0 else -math.inf
    return out


def _allowed(values: Sequence[object], restrictions: Sequence[frozenset[Any]]) -> BoolArray:
    """values x offers: does each offer's restriction allow the value? (An empty restriction or an empty
    value, such as an unknown stage, allows.)"""
    vocabulary = _index(v for v in values if v != "")
    by_value = np.zeros((len(vocabulary) + 1, len(restrictions)), dtype=np.bool_)  # last row: an empty value
    by_value[-1] = True
    for column, restriction in enumerate(restrictions):
        if not restriction:
            by_value[:, column] = True
        else:
            by_value[[vocabulary[v] for v in restriction if v in vocabulary], column] = True
    rows = np.array([vocabulary[v] if v != "" else len(vocabulary) for v in values], dtype=np.int64)
    return by_value[rows]


@dataclass(frozen=True, eq=False)
class Features:
    """Needs and offers as the arrays the scoring reads (built once by `prepare`, reused for any weights)."""

    needs: tuple[Need, ...]
    offers: tuple[Offer, ...]
    need_ids: IntArray
    offer_ids: IntArray
    need_place: IntArray              # row of `place_allowed` per need: its (country, city, stage)
    place_allowed: BoolArray          # places x offers: country, city and stage filters passed
    gap_times_factor: FloatArray      # gap x TICKET_FAR_OUTSIDE_FACTOR (+inf unknown: never excluded)
    gap_bound: FloatArray             # gap (-inf unknown)
    min_bound: FloatArray             # minimum ticket (-inf unknown)
    max_times_factor: FloatArray      # maximum ticket x TICKET_FAR_OUTSIDE_FACTOR (+inf unknown)
    log_gap: FloatArray               # 0 where unknown (then overwritten by NEUTRAL)
    gap_known: BoolArray
    log_min: FloatArray               # -inf unknown or 0
    log_max: FloatArray               # +inf unknown
    offer_has_range: BoolArray
    need_tags: npt.NDArray[np.uint64]   # needs x words: the tag set as bits
    offer_tags: npt.NDArray[np.uint64]
    need_tag_count: FloatArray
    offer_tag_count: FloatArray
    need_kinds: npt.NDArray[np.uint64]
    offer_kinds: npt.NDArray[np.uint64]
    need_kind_count: FloatArray
    offer_kind_count: FloatArray
    stage_known: BoolArray            # per need
    offer_names_stages: BoolArray     # per offer
    readiness_fit: FloatArray         # per need: readiness / 100, NEUTRAL unknown
    need_text: sparse.csr_matrix      # needs x n-grams, rows L2-normalised
    offer_text_t: sparse.csr_matrix   # n-grams x offers
    need_has_text: BoolArray
    offer_has_text: BoolArray
    _need_rows: dict[int, int] = field(repr=False)
    _offer_columns: dict[int, int] = field(repr=False)

    def need_row(self, need_id: int) -> int:
        return self._need_rows[need_id]

    def offer_column(self, offer_id: int) -> int:
        return self._offer_columns[offer_id]


def _unique_ids(items: Sequence[Need | Offer], duplicate: str) -> dict[int, int]:
    """Row of each id; `duplicate` is the (translated) refusal of an id given twice, with %(id)s."""
    rows: dict[int, int] = {}
    for i, item in enumerate(items):
        if item.id in rows:
            raise ValueError(duplicate % {"id": item.id})
        rows[item.id] = i
    return rows


def _text_matrices(needs: Sequence[Need], offers: Sequence[Offer], corpus: Sequence[str] | None = None
                   ) -> tuple[sparse.csr_matrix, sparse.csr_matrix, BoolArray, BoolArray]:
    """The TF-IDF rows of the needs' and the offers' texts (fitted on both, or on `corpus` when given) and which
    rows have text at all.

    N-grams found on one side only are dropped after the rows are normalised: they add nothing to any
    product, so the products have less to do."""
    texts = [n.text for n in needs] + [o.text for o in offers]
    fit_on = texts if corpus is None else list(corpus)
    if not any(t.strip() for t in texts) or not any(t.strip() for t in fit_on):
        matrix = sparse.csr_matrix((len(texts), 1), dtype=np.float64)
    elif corpus is None:
        matrix = sparse.csr_matrix(text_vectorizer().fit_transform(texts))
    else:
        matrix = sparse.csr_matrix(text_vectorizer().fit(fit_on).transform(texts))
    need_text, offer_text = matrix[: len(needs)], matrix[len(needs):]
    need_has_text, offer_has_text = need_text.getnnz(axis=1) > 0, offer_text.getnnz(axis=1) > 0
    shared = np.flatnonzero((need_text.getnnz(axis=0) > 0) & (offer_text.getnnz(axis=0) > 0))
    need_text, offer_text = sparse.csr_matrix(need_text[:, shared]), sparse.csr_matrix(offer_text[:, shared])
    need_text.sort_indices()
    offer_text.sort_indices()
    return need_text, offer_text, need_has_text, offer_has_text


def prepare(needs: Sequence[Need], offers: Sequence[Offer], corpus: Sequence[str] | None = None) -> Features:
    """Build the feature arrays of `needs` and `offers`, including the TF-IDF fitted on all their texts, or on
    `corpus` when given: with the same corpus, a pair's text similarity is the same whichever other needs and
    offers are prepared beside it (an offer's page and a need's page then agree on every pair's score)."""
    needs, offers = tuple(needs), tuple(offers)
    need_rows = _unique_ids(needs, _("Two needs have the id %(id)s."))
    offer_columns = _unique_ids(offers, _("Two offers have the id %(id)s."))
    places: dict[tuple[int, int, str], int] = {}
    for n in needs:
        places.setdefault((n.country_id, n.city_id, n.stage), len(places))
    place_allowed = (_allowed([p[0] for p in places], [o.country_ids for o in offers])
                     & _allowed([p[1] for p in places], [o.city_ids for o in offers])
                     & _allowed([p[2] for p in places], [o.stages for o in offers]))
    items: tuple[Need | Offer, ...] = (*needs, *offers)
    tags = _index(t for item in items for t in sorted(item.tag_ids))
    kinds = _index(k for item in items for k in sorted(item.kinds))
    gaps = np.array([np.nan if n.funding_gap is None else n.funding_gap for n in needs], dtype=np.float64)
    gap_known = ~np.isnan(gaps)
    log_gap = np.zeros(len(needs), dtype=np.float64)
    log_gap[gap_known] = np.log(np.maximum(gaps[gap_known], _TINY))
    need_text, offer_text, need_has_text, offer_has_text = _text_matrices(needs, offers, corpus)
    return Features(
        needs=needs, offers=offers,
        need_ids=np.array([n.id for n in needs], dtype=np.int64),
        offer_ids=np.array([o.id for o in offers], dtype=np.int64),
        need_place=np.array([places[(n.country_id, n.city_id, n.stage)] for n in needs], dtype=np.int64),
        place_allowed=place_allowed,
        gap_times_factor=np.where(gap_known, gaps * TICKET_FAR_OUTSIDE_FACTOR, np.inf),
        gap_bound=np.where(gap_known, gaps, -np.inf),
        min_bound=np.array([-np.inf if o.min_ticket is None else o.min_ticket for o in offers], dtype=np.float64),
        max_times_factor=np.array([np.inf if o.max_ticket is None else o.max_ticket * TICKET_FAR_OUTSIDE_FACTOR
                                   for o in offers], dtype=np.float64),
        log_gap=log_gap, gap_known=gap_known,
        log_min=_log_bound([o.min_ticket for o in offers], -math.inf),
        log_max=_log_bound([o.max_ticket for o in offers], math.inf),
        offer_has_range=np.array([o.min_ticket is not None or o.max_ticket is not None for o in offers],
                                 dtype=np.bool_),
        need_tags=_bits([n.tag_ids for n in needs], tags), offer_tags=_bits([o.tag_ids for o in offers], tags),
        need_tag_count=np.array([len(n.tag_ids) for n in needs], dtype=np.float64),
        offer_tag_count=np.array([len(o.tag_ids) for o in offers], dtype=np.float64),
        need_kinds=_bits([n.kinds for n in needs], kinds), offer_kinds=_bits([o.kinds for o in offers], kinds),
        need_kind_count=np.array([len(n.kinds) for n in needs], dtype=np.float64),
        offer_kind_count=np.array([len(o.kinds) for o in offers], dtype=np.float64),
        stage_known=np.array([bool(n.stage) for n in needs], dtype=np.bool_),
        offer_names_stages=np.array([bool(o.stages) for o in offers], dtype=np.bool_),
        readiness_fit=np.array([NEUTRAL if n.readiness is None else min(max(n.readiness, 0.0), 100.0) / 100
                                for n in needs], dtype=np.float64),
        need_text=need_text, offer_text_t=sparse.csr_matrix(offer_text.T),
        need_has_text=need_has_text, offer_has_text=offer_has_text,
        _need_rows=need_rows, _offer_columns=offer_columns,
    )


# --- Component matrices of a chunk --------------------------------------------------------------------------


def eligible_matrix(features: Features, rows: slice) -> BoolArray:
    """chunk x offers: True where the pair passes every hard filter (the same rules as `ineligibility`)."""
    f = features
    mask = f.place_allowed[f.need_place[rows]]
    mask &= f.gap_times_factor[rows, None] >= f.min_bound[None, :]   # not (gap x 10 < minimum)
    mask &= f.gap_bound[rows, None] <= f.max_times_factor[None, :]   # not (gap > maximum x 10)
    return mask


def _shared(need_bits: npt.NDArray[np.uint64], offer_bits: npt.NDArray[np.uint64]) -> FloatArray:
    """chunk x offers: how many members each pair of sets shares (popcount of the common bits)."""
    shared = np.bitwise_count(need_bits[:, None, 0] & offer_bits[None, :, 0]).astype(np.float64)
    for word in range(1, need_bits.shape[1]):
        shared += np.bitwise_count(need_bits[:, None, word] & offer_bits[None, :, word])
    return shared


def component_matrices(features: Features, rows: slice) -> FloatArray:
    """len(COMPONENTS) x chunk x offers: every component's raw value for the needs in `rows` and every offer."""
    f = features
    need_count = f.need_ids[rows].shape[0]
    out = np.empty((len(COMPONENTS), need_count, f.offer_ids.shape[0]), dtype=np.float64)
    framework, ticket, kind, stage_readiness, text = out

    shared = _shared(f.need_tags[rows], f.offer_tags)
    np.add(f.need_tag_count[rows, None], f.offer_tag_count[None, :], out=framework)
    framework -= shared                                  # the union's size
    np.maximum(framework, 1.0, out=framework)            # both empty: NEUTRAL below anyway
    np.divide(shared, framework, out=framework)
    framework[:, f.offer_tag_count == 0] = NEUTRAL
    framework[f.need_tag_count[rows] == 0, :] = NEUTRAL

    np.subtract(f.log_min[None, :], f.log_gap[rows, None], out=ticket)   # how far below the minimum (log)
    np.maximum(ticket, f.log_gap[rows, None] - f.log_max[None, :], out=ticket)  # or above the maximum
    np.multiply(ticket, -1 / _LOG_FACTOR, out=ticket)
    np.add(ticket, 1.0, out=ticket)
    np.clip(ticket, 0.0, 1.0, out=ticket)
    ticket[~f.gap_known[rows], :] = NEUTRAL
    ticket[:, ~f.offer_has_range] = NEUTRAL

    np.divide(_shared(f.need_kinds[rows], f.offer_kinds), np.maximum(f.need_kind_count[rows, None], 1.0), out=kind)
    kind[:, f.offer_kind_count == 0] = NEUTRAL
    kind[f.need_kind_count[rows] == 0, :] = NEUTRAL

    stage_fit = np.where(f.offer_names_stages, 1.0, NEUTRAL)  # eligible and naming stages: it names this one
    np.add(f.readiness_fit[rows, None], stage_fit[None, :], out=stage_readiness)
    stage_readiness[~f.stage_known[rows], :] = f.readiness_fit[rows][~f.stage_known[rows], None] + NEUTRAL
    np.multiply(stage_readiness, 0.5, out=stage_readiness)

    text[...] = sparse_product_dense(f.need_text[rows], f.offer_text_t)
    np.minimum(text, 1.0, out=text)
    text[:, ~f.offer_has_text] = NEUTRAL
    text[~f.need_has_text[rows], :] = NEUTRAL
    return out


def sparse_product_dense(left: sparse.csr_matrix, right: sparse.csr_matrix) -> FloatArray:
    """left @ right as a dense array, the same numbers as `(left @ right).toarray()`.

    SciPy's product counts the result's non-zeros in a first pass over the data, to size its output; here
    the output is dense anyway, so SciPy's own kernel (private: `scipy.sparse._sparsetools.csr_matmat`, as
    SciPy 1.17 calls it) is called with room for every cell and that pass is skipped (about 40 % of the text
    similarity's time). Without that kernel, if its signature changes, or for matrices too large for 32-bit
    indices, the public product is used; a test checks both give the same numbers."""
    rows, columns = left.shape[0], right.shape[1]
    if _csr_matmat is None or rows * columns >= 2**31 or right.nnz >= 2**31 or left.nnz >= 2**31:
        return np.asarray((left @ right).toarray(), dtype=np.float64)
    index = np.int32
    indptr = np.empty(rows + 1, dtype=index)
    indices = np.empty(rows * columns, dtype=index)
    data = np.empty(rows * columns, dtype=np.float64)
    try:
        _csr_matmat(rows, columns, left.indptr.astype(index, copy=False), left.indices.astype(index, copy=False),
                    np.asarray(left.data, dtype=np.float64), right.indptr.astype(index, copy=False),
                    right.indices.astype(index, copy=False), np.asarray(right.data, dtype=np.float64),
                    indptr, indices, data)
    except (TypeError, ValueError):  # pragma: no cover - another SciPy's kernel
        return np.asarray((left @ right).toarray(), dtype=np.float64)
    out = np.zeros((rows, columns), dtype=np.float64)
    count = int(indptr[-1])
    out[np.repeat(np.arange(rows), np.diff(indptr)), indices[:count]] = data[:count]
    return out


def weighted_score(values: FloatArray, weights: FloatArray) -> FloatArray:
    """The score of each pair: Σ weight x value over the components, summed in `COMPONENTS` order."""
    score = values[0] * weights[0]
    term = np.empty_like(score)
    for component in range(1, len(COMPONENTS)):
        np.multiply(values[component], weights[component], out=term)
        score += term
    return score


# --- Top k --------------------------------------------------------------------------------------------------


def _top_k(score: FloatArray, text: FloatArray, ids: IntArray, k: int) -> tuple[IntArray, IntArray]:
    """The best `k` columns of each row of `score` (-inf: ineligible, never taken), by score, then text, then
    id (lowest first). Returns (rows, columns) of the taken cells, ordered by row then rank."""
    columns_count = score.shape[1]
    if columns_count > k:
        kth = np.partition(score, columns_count - k, axis=1)[:, columns_count - k]
        candidates = score >= kth[:, None]
        candidates &= score > -np.inf
    else:
        candidates = score > -np.inf
    rows, columns = np.nonzero(candidates)
    order = np.lexsort((ids[rows, columns], -text[rows, columns], -score[rows, columns], rows))
    rows, columns = rows[order], columns[order]
    starts = np.searchsorted(rows, rows, side="left")  # first position of each cell's row
    keep = np.arange(rows.shape[0]) - starts < k
    return rows[keep].astype(np.int64), columns[keep].astype(np.int64)


# --- Results ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Component:
    name: str
    value: float         # the raw value, in [0, 1]
    weight: float        # the normalised weight
    contribution: float  # value x weight


@dataclass(frozen=True)
class Match:
    need_id: int
    offer_id: int
    rank: int            # 1 for the best
    score: float         # the sum of the contributions
    components: tuple[Component, ...]


@dataclass(frozen=True, eq=False)
class Ranking:
    """For each row (a need, or an offer) its best k matches, as arrays; `matches(row_id)` gives objects.

    `ids[r, j]` is the id of the j-th best match of row r (-1 past the last eligible one), `scores[r, j]`
    its score (NaN past the end) and `values[r, j, c]` its raw value of component `COMPONENTS[c]`.
    """

    side: Literal["need", "offer"]   # what a row is
    row_ids: IntArray                # (rows,)
    ids: IntArray                    # (rows, k)
    scores: FloatArray               # (rows, k)
    values: FloatArray               # (rows, k, components)
    weights: FloatArray              # (components,), normalised
    _rows: dict[int, int] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._rows.update((int(row_id), i) for i, row_id in enumerate(self.row_ids))

    def count(self, row_id: int) -> int:
        """How many matches the row has (at most k)."""
        return int((self.ids[self._rows[row_id]] >= 0).sum())

    def matches(self, row_id: int) -> list[Match]:
        """The ranked matches of one need (or offer), each with its breakdown."""
        r = self._rows[row_id]
        result = []
        for j in range(self.count(row_id)):
            other = int(self.ids[r, j])
            need_id, offer_id = (row_id, other) if self.side == "need" else (other, row_id)
            components = tuple(Component(name, float(self.values[r, j, c]), float(self.weights[c]),
                                         float(self.values[r, j, c] * self.weights[c]))
                               for c, name in enumerate(COMPONENTS))
            result.append(Match(need_id, offer_id, j + 1, float(self.scores[r, j]), components))
        return result


@dataclass(frozen=True)
class Rankings:
    offers_for_needs: Ranking   # per need, the best offers
    needs_for_offers: Ranking   # per offer, the best needs


def _empty(side: Literal["need", "offer"], row_ids: IntArray, k: int, weights: FloatArray) -> Ranking:
    rows = row_ids.shape[0]
    return Ranking(side, row_ids, np.full((rows, k), -1, dtype=np.int64), np.full((rows, k), np.nan),
                   np.full((rows, k, len(COMPONENTS)), np.nan), weights)


def default_workers() -> int:
    """Threads that score chunks side by side: the cores, at most DEFAULT_WORKERS (NumPy and SciPy's sparse
    products release the GIL)."""
    return max(1, min(DEFAULT_WORKERS, os.cpu_count() or 1))


def default_chunk_size(offer_count: int, workers: int = 1) -> int:
    """Needs per chunk so that the chunks in flight (CHUNK_ARRAYS chunk x offers float64 arrays each, one
    chunk per worker) stay within DEFAULT_CHUNK_BYTES together."""
    return max(1, DEFAULT_CHUNK_BYTES // (CHUNK_ARRAYS * 8 * max(offer_count, 1) * max(workers, 1)))


_Cells = tuple[IntArray, IntArray, FloatArray, FloatArray, FloatArray]  # rows, other ids, scores, texts, values


def rank(features: Features, weights: Weights | None = None, *, offers_per_need: int = 10,
         needs_per_offer: int = 10, chunk_size: int | None = None, workers: int | None = None) -> Rankings:
    """The best `offers_per_need` offers of every need and the best `needs_per_offer` needs of every offer.

    Needs are scored `chunk_size` at a time (default: `default_chunk_size`) by `workers` threads (default:
    `default_workers`), so memory stays within about CHUNK_ARRAYS x 8 x chunk_size x n_offers bytes per worker
    besides the inputs and the rankings. A k of 0 skips that side's ranking. Ineligible pairs are never
    ranked; ties break by text similarity, then the lower id. The result does not depend on the chunk size
    or the number of workers.
    """
    if offers_per_need < 0 or needs_per_offer < 0:
        raise ValueError(_("The number of matches to keep must be zero or more."))
    w = (weights or Weights()).normalised()
    f = features
    n_needs, n_offers = f.need_ids.shape[0], f.offer_ids.shape[0]
    threads = workers or default_workers()
    chunk = chunk_size or default_chunk_size(n_offers, threads)
    if chunk < 1:
        raise ValueError(_("The chunk size must be at least 1."))
    for_needs = _empty("need", f.need_ids, offers_per_need, w)
    for_offers = _empty("offer", f.offer_ids, needs_per_offer, w)
    starts = range(0, n_needs if n_offers else 0, chunk)
    threshold = np.full(n_offers, -np.inf)  # each offer's k-th best score so far (-inf: fewer than k yet)

    def score_chunk(start: int) -> tuple[_Cells | None, _Cells | None]:
        rows = slice(start, min(start + chunk, n_needs))
        values = component_matrices(f, rows)
        score = weighted_score(values, w)
        np.copyto(score, -np.inf, where=~eligible_matrix(f, rows))
        text = values[TEXT]
        best_offers = best_needs = None
        if offers_per_need:
            r, c = _top_k(score, text, np.broadcast_to(f.offer_ids[None, :], score.shape), offers_per_need)
            best_offers = (r + start, f.offer_ids[c], score[r, c], text[r, c], values[:, r, c].T)
        if needs_per_offer:
            # Only a need scoring at least an offer's k-th best so far can enter its ranking. A threshold read
            # before a merge is lower, never higher, than the current one: it lets more through, never fewer.
            candidates = score >= threshold[None, :]
            candidates &= score > -np.inf
            n, o = np.nonzero(candidates)
            best_needs = (o, f.need_ids[rows][n], score[n, o], text[n, o], values[:, n, o].T)
        return best_offers, best_needs

    with ThreadPoolExecutor(max_workers=threads) as pool:
        chunks = pool.map(score_chunk, starts) if threads > 1 else map(score_chunk, starts)
        for best_offers, best_needs in chunks:  # in chunk order: deterministic
            if best_offers is not None:
                _store(for_needs, best_offers)
            if best_needs is not None:
                touched = _merge(for_offers, best_needs)
                last = for_offers.ids[touched, -1] >= 0
                threshold[touched] = np.where(last, for_offers.scores[touched, -1], -np.inf)
    return Rankings(for_needs, for_offers)


def _store(ranking: Ranking, cells: _Cells) -> None:
    """Write cells (ordered by row, then rank) into the ranking's arrays, each row from position 0."""
    rows, ids, scores, _texts, values = cells
    if rows.shape[0] == 0:
        return
    positions = np.arange(rows.shape[0]) - np.searchsorted(rows, rows, side="left")
    ranking.ids[rows, positions] = ids
    ranking.scores[rows, positions] = scores
    ranking.values[rows, positions] = values


def _merge(ranking: Ranking, cells: _Cells) -> IntArray:
    """Fold new cells into the best k of the rows they touch (the best k of both is the best k); returns
    those rows."""
    rows, ids, scores, texts, values = cells
    touched = np.unique(rows)
    if touched.shape[0] == 0:
        return touched.astype(np.int64)
    k = ranking.ids.shape[1]
    kept = ranking.ids[touched] >= 0
    kept_values = ranking.values[touched][kept]
    all_rows = np.concatenate([np.broadcast_to(touched[:, None], kept.shape)[kept], rows])
    all_ids = np.concatenate([ranking.ids[touched][kept], ids])
    all_scores = np.concatenate([ranking.scores[touched][kept], scores])
    all_texts = np.concatenate([kept_values[:, TEXT], texts])
    all_values = np.concatenate([kept_values, values])
    order = np.lexsort((all_ids, -all_texts, -all_scores, all_rows))
    ordered_rows = all_rows[order]
    best = order[np.arange(order.shape[0]) - np.searchsorted(ordered_rows, ordered_rows, side="left") < k]
    ranking.ids[touched] = -1
    ranking.scores[touched] = np.nan
    ranking.values[touched] = np.nan
    _store(ranking, (all_rows[best], all_ids[best], all_scores[best], all_texts[best], all_values[best]))
    return touched.astype(np.int64)


# --- One pair -----------------------------------------------------------------------------------------------


def explain(features: Features, need_id: int, offer_id: int, weights: Weights | None = None
            ) -> Match | Ineligibility:
    """The pair's score with its breakdown (rank 0: not ranked here), or why it is not eligible."""
    f = features
    row, column = f.need_row(need_id), f.offer_column(offer_id)
    reason = ineligibility(f.needs[row], f.offers[column])
    if reason is not None:
        return reason
    w = (weights or Weights()).normalised()
    values = component_matrices(f, slice(row, row + 1))[:, 0, column]
    score = float(weighted_score(values[:, None], w)[0])
    components = tuple(Component(name, float(values[c]), float(w[c]), float(values[c] * w[c]))
                       for c, name in enumerate(COMPONENTS))
    return Match(need_id, offer_id, 0, score, components)
