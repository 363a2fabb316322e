"""Benchmark the partner matchmaking (issue: partner cooperation): 10,000 needs x 2,000 offers, top 10 each.

- Data: built by this script from a fixed seed (nothing read or fetched): `--needs` (10,000) city needs in
  10 countries of 40 cities each and `--offers` (2,000) partner offers; 20 focus areas and 8 enablers as
  framework tags, six project stages, nine kinds of support and instruments, funding gaps and ticket ranges
  spread over four orders of magnitude (some unknown), half of the offers limited to some countries, a
  tenth to some cities, two fifths to some stages, and descriptions of 10 to 30 words in English,
  Vietnamese or Thai drawn from topic phrases (the need's or offer's focus areas) and general words.
- Measured: `matching.rank(features, offers_per_need=10, needs_per_offer=0)` -- the best 10 offers of every
  need with each one's breakdown (the five components' values, weights and contributions), eligibility
  applied, ties broken by the documented rule. Target: under 2 s. `prepare` (the feature arrays and the
  TF-IDF fit, done once per data set, not per change of weights) and the ranking of both sides (also the
  best 10 needs of every offer) are timed too, without a target.
- Reference: the best plain NumPy a user would write for the same features and the same result, from the
  same inputs precomputed the same way (the 0/1 tag and kind matrices, the gaps and ticket bounds, the
  country, city and stage tables, and the same TF-IDF matrices, the offers' as a dense array): per chunk of
  needs, dense matrix products for the tag and kind overlaps and the text similarity, the same formulas
  for the components and the weighted score, the eligibility mask, then a full sort of every row (lexsort
  by score, text similarity and id) and the first 10 with their components. Its result is checked against
  the module's.

The module runs as it does in the platform: `default_workers()` threads (two on a 2-core machine) scoring
chunks of `default_chunk_size` needs. The reference is one Python thread, with BLAS's own threads in its dense
products. The CPU time of `rank` (all threads), and of `rank` on one thread, are recorded beside the wall
times: on a shared machine they say what the work costs when other jobs take the cores.

The module and the reference are timed alternately in the same process (the order swapped every other
run, after a warm-up of each), so that other jobs on a shared machine weigh on both alike.

Run from the project root:  .venv/bin/python bench/bench_matching.py [--needs N] [--offers N] [--repeat N]
The raw results go to bench/results/matching.json unless --json PATH or --no-json says otherwise.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import harness
import numpy as np
import numpy.typing as npt
from scipy import sparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from ascn.partnerships import matching as m  # noqa: E402

TARGET_S = 2.0
TOP_K = 10
SEED = 20261205

TOPICS = {
    "en": ["smart traffic signals", "flood early warning", "solid waste collection", "clean water supply",
           "LED street lighting", "bus rapid transit", "digital payments", "online public services",
           "air quality sensors", "tourism data platform", "energy efficient buildings", "wastewater treatment",
           "electric buses", "open data portal", "cyber security", "electronic health records",
           "school connectivity", "disaster resilience", "land use planning", "affordable housing"],
    "vi": ["đèn tín hiệu giao thông thông minh", "cảnh báo sớm lũ lụt", "thu gom chất thải rắn", "cấp nước sạch",
           "chiếu sáng đèn LED", "xe buýt nhanh", "thanh toán điện tử", "dịch vụ công trực tuyến",
           "cảm biến chất lượng không khí", "nền tảng dữ liệu du lịch", "tòa nhà tiết kiệm năng lượng",
           "xử lý nước thải", "xe buýt điện", "cổng dữ liệu mở", "an ninh mạng", "hồ sơ sức khỏe điện tử",
           "kết nối trường học", "chống chịu thiên tai", "quy hoạch sử dụng đất", "nhà ở giá rẻ"],
    "th": ["สัญญาณไฟจราจรอัจฉริยะ", "ระบบเตือนภัยน้ำท่วม", "การเก็บขยะมูลฝอย", "น้ำประปาสะอาด", "ไฟถนนแอลอีดี",
           "รถโดยสารด่วนพิเศษ", "การชำระเงินดิจิทัล", "บริการภาครัฐออนไลน์", "เซ็นเซอร์คุณภาพอากาศ",
           "แพลตฟอร์มข้อมูลการท่องเที่ยว", "อาคารประหยัดพลังงาน", "การบำบัดน้ำเสีย", "รถโดยสารไฟฟ้า",
           "พอร์ทัลข้อมูลเปิด", "ความมั่นคงปลอดภัยไซเบอร์", "เวชระเบียนอิเล็กทรอนิกส์", "การเชื่อมต่อโรงเรียน",
           "ความยืดหยุ่นต่อภัยพิบัติ", "การวางผังการใช้ที่ดิน", "ที่อยู่อาศัยราคาประหยัด"],
}
WORDS = {
    "en": ("the city plans to install upgrade expand pilot a new system for residents in district centre old town "
           "with sensors cameras data centre mobile app control room maintenance contract feasibility study "
           "design tender private partner investment loan grant training staff capacity community households "
           "schools hospitals market river port airport province network monitoring reporting phase first second "
           "operation revenue tariff savings emissions climate resilient inclusive women youth small business"),
    "vi": ("thành phố dự kiến lắp đặt nâng cấp mở rộng thí điểm hệ thống mới cho người dân tại quận trung tâm "
           "phố cổ với cảm biến camera trung tâm dữ liệu ứng dụng di động phòng điều hành hợp đồng bảo trì "
           "nghiên cứu khả thi thiết kế đấu thầu đối tác tư nhân đầu tư khoản vay viện trợ đào tạo cán bộ "
           "năng lực cộng đồng hộ gia đình trường học bệnh viện chợ sông cảng sân bay tỉnh mạng lưới giám sát "
           "báo cáo giai đoạn vận hành doanh thu biểu phí tiết kiệm phát thải khí hậu bao trùm phụ nữ thanh niên"),
    "th": ("เมือง มีแผน ติดตั้ง ปรับปรุง ขยาย นำร่อง ระบบใหม่ สำหรับ ประชาชน ใน เขต ใจกลางเมือง เมืองเก่า พร้อม "
           "เซ็นเซอร์ กล้อง ศูนย์ข้อมูล แอปพลิเคชัน ห้องควบคุม สัญญาบำรุงรักษา การศึกษาความเป็นไปได้ การออกแบบ "
           "การประกวดราคา ภาคเอกชน การลงทุน เงินกู้ เงินให้เปล่า การฝึกอบรม เจ้าหน้าที่ ชุมชน ครัวเรือน โรงเรียน "
           "โรงพยาบาล ตลาด แม่น้ำ ท่าเรือ สนามบิน จังหวัด เครือข่าย การติดตาม การรายงาน ระยะแรก การดำเนินงาน "
           "รายได้ ค่าบริการ การประหยัด การปล่อยก๊าซ ภูมิอากาศ สตรี เยาวชน ธุรกิจขนาดเล็ก"),
}
STAGES = ["concept", "pre_feasibility", "feasibility", "procurement", "implementation", "operation"]
KINDS = ["financial", "technical", "advisory", "partner", "training", "loan", "grant", "equity", "guarantee"]
COUNTRIES, CITIES_PER_COUNTRY, FOCUS_AREAS, ENABLERS = 10, 40, 20, 8


def synthetic(needs: int, offers: int, seed: int = SEED) -> tuple[list[m.Need], list[m.Offer]]:
    """The benchmark's needs and offers (see the module docstring), the same for the same seed."""
    rng = np.random.default_rng(seed)
    languages = list(TOPICS)
    words = {language: text.split() for language, text in WORDS.items()}

    def text(topics: npt.NDArray[np.int64]) -> str:
        language = languages[int(rng.integers(3))]
        parts = [TOPICS[language][int(t)] for t in topics]
        parts += rng.choice(words[language], size=int(rng.integers(8, 25))).tolist()
        rng.shuffle(parts)
        return " ".join(parts) + f" {int(rng.integers(1, 13))}"

    def some(pool: list[str], low: int, high: int) -> frozenset[str]:
        return frozenset(rng.choice(pool, size=int(rng.integers(low, high)), replace=False).tolist())

    result_needs = []
    for i in range(needs):
        country = int(rng.integers(COUNTRIES))
        topics = rng.choice(FOCUS_AREAS, size=int(rng.integers(1, 4)), replace=False)
        enablers = rng.choice(ENABLERS, size=int(rng.integers(0, 3)), replace=False) + FOCUS_AREAS
        result_needs.append(m.Need(
            id=i + 1, country_id=country, city_id=country * 100 + int(rng.integers(CITIES_PER_COUNTRY)),
            tag_ids=frozenset(int(t) for t in (*topics, *enablers)),
            stage=STAGES[int(rng.integers(len(STAGES)))] if rng.random() < 0.9 else "",
            readiness=float(rng.integers(0, 101)) if rng.random() < 0.7 else None,
            funding_gap=float(10 ** rng.uniform(4, 8)) if rng.random() < 0.8 else None,
            kinds=some(KINDS, 1, 4), text=text(topics)))
    result_offers = []
    for j in range(offers):
        countries = (frozenset(int(c) for c in rng.choice(COUNTRIES, size=int(rng.integers(3, 10)), replace=False))
                     if rng.random() < 0.5 else frozenset())
        cities = (frozenset(int(c) * 100 + int(rng.integers(CITIES_PER_COUNTRY))
                            for c in rng.choice(COUNTRIES, size=int(rng.integers(5, 20))))
                  if rng.random() < 0.1 else frozenset())
        topics = rng.choice(FOCUS_AREAS, size=int(rng.integers(1, 5)), replace=False)
        low = float(10 ** rng.uniform(4, 7)) if rng.random() < 0.7 else None
        high = (low or 1e4) * float(10 ** rng.uniform(0.5, 2)) if rng.random() < 0.7 else None
        result_offers.append(m.Offer(
            id=j + 1, country_ids=countries, city_ids=cities, tag_ids=frozenset(int(t) for t in topics),
            stages=some(STAGES, 2, 5) if rng.random() < 0.4 else frozenset(),
            min_ticket=low, max_ticket=high, kinds=some(KINDS, 1, 4), text=text(topics)))
    return result_needs, result_offers


# --- The reference -------------------------------------------------------------------------------------------


@dataclass
class PlainInputs:
    """What the plain NumPy reference starts from: the same features as arrays (built before timing)."""

    need_ids: npt.NDArray[np.int64]
    offer_ids: npt.NDArray[np.int64]
    need_country: npt.NDArray[np.int64]
    need_city: npt.NDArray[np.int64]
    need_stage: npt.NDArray[np.int64]           # -1 unknown
    offer_country_ok: npt.NDArray[np.bool_]     # countries x offers (all True: no restriction)
    offer_city_ok: npt.NDArray[np.bool_]        # cities x offers
    offer_stage_ok: npt.NDArray[np.bool_]       # stages x offers
    offer_names_stages: npt.NDArray[np.bool_]
    need_gap: npt.NDArray[np.float64]           # NaN unknown
    offer_min: npt.NDArray[np.float64]
    offer_max: npt.NDArray[np.float64]
    need_tags: npt.NDArray[np.float64]          # needs x tags, 0/1
    offer_tags: npt.NDArray[np.float64]
    need_kinds: npt.NDArray[np.float64]
    offer_kinds: npt.NDArray[np.float64]
    readiness: npt.NDArray[np.float64]          # NaN unknown
    need_text: sparse.csr_matrix                # the module's TF-IDF rows
    offer_text_dense: npt.NDArray[np.float64]   # offers x n-grams
    need_has_text: npt.NDArray[np.bool_]
    offer_has_text: npt.NDArray[np.bool_]


def plain_inputs(needs: list[m.Need], offers: list[m.Offer], features: m.Features) -> PlainInputs:
    def table(values: list[int] | list[str], restrictions: list[frozenset]) -> tuple[np.ndarray, np.ndarray]:
        vocabulary = {v: i for i, v in enumerate(dict.fromkeys(v for v in values if v != ""))}
        ok = np.array([[not r or v in r for r in restrictions] for v in vocabulary], dtype=bool).reshape(
            len(vocabulary), len(restrictions))
        return np.array([vocabulary.get(v, -1) for v in values]), ok

    def onehot(sets: list[frozenset], vocabulary: dict) -> np.ndarray:
        out = np.zeros((len(sets), len(vocabulary)))
        for row, values in enumerate(sets):
            out[row, [vocabulary[v] for v in values]] = 1.0
        return out

    items: list[m.Need | m.Offer] = [*needs, *offers]
    tags = {t: i for i, t in enumerate(sorted({t for x in items for t in x.tag_ids}))}
    kinds = {k: i for i, k in enumerate(sorted({k for x in items for k in x.kinds}))}
    need_country, country_ok = table([n.country_id for n in needs], [o.country_ids for o in offers])
    need_city, city_ok = table([n.city_id for n in needs], [o.city_ids for o in offers])
    need_stage, stage_ok = table([n.stage for n in needs], [o.stages for o in offers])
    return PlainInputs(
        need_ids=np.array([n.id for n in needs]), offer_ids=np.array([o.id for o in offers]),
        need_country=need_country, need_city=need_city, need_stage=need_stage, offer_country_ok=country_ok,
        offer_city_ok=city_ok, offer_stage_ok=stage_ok, offer_names_stages=np.array([bool(o.stages) for o in offers]),
        need_gap=np.array([np.nan if n.funding_gap is None else n.funding_gap for n in needs]),
        offer_min=np.array([np.nan if o.min_ticket is None else o.min_ticket for o in offers]),
        offer_max=np.array([np.nan if o.max_ticket is None else o.max_ticket for o in offers]),
        need_tags=onehot([n.tag_ids for n in needs], tags), offer_tags=onehot([o.tag_ids for o in offers], tags),
        need_kinds=onehot([n.kinds for n in needs], kinds), offer_kinds=onehot([o.kinds for o in offers], kinds),
        readiness=np.array([np.nan if n.readiness is None else n.readiness for n in needs]),
        need_text=features.need_text, offer_text_dense=np.ascontiguousarray(features.offer_text_t.T.toarray()),
        need_has_text=features.need_has_text, offer_has_text=features.offer_has_text)


def plain_numpy_rank(x: PlainInputs, weights: npt.NDArray[np.float64], k: int, chunk: int
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The reference: every component for a chunk of needs x all offers, the score, the mask, a full sort."""
    n = x.need_ids.shape[0]
    ids, scores, values = np.full((n, k), -1), np.full((n, k), np.nan), np.full((n, k, 5), np.nan)
    log_factor = np.log(m.TICKET_FAR_OUTSIDE_FACTOR)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_min = np.where(np.isnan(x.offer_min), -np.inf, np.log(x.offer_min))
        log_max = np.where(np.isnan(x.offer_max), np.inf, np.log(x.offer_max))
    no_range = np.isnan(x.offer_min) & np.isnan(x.offer_max)
    tag_count_o, kind_count_o = x.offer_tags.sum(1), x.offer_kinds.sum(1)
    for start in range(0, n, chunk):
        r = slice(start, min(n, start + chunk))
        tag_count_n, kind_count_n = x.need_tags[r].sum(1), x.need_kinds[r].sum(1)
        shared = x.need_tags[r] @ x.offer_tags.T
        framework = shared / np.maximum(tag_count_n[:, None] + tag_count_o[None, :] - shared, 1.0)
        framework = np.where((tag_count_n[:, None] == 0) | (tag_count_o[None, :] == 0), m.NEUTRAL, framework)
        gap = x.need_gap[r]
        log_gap = np.log(np.maximum(np.nan_to_num(gap, nan=1.0), 1e-300))
        outside = np.maximum(log_min[None, :] - log_gap[:, None], log_gap[:, None] - log_max[None, :])
        ticket = np.clip(outside * (-1 / log_factor) + 1.0, 0.0, 1.0)
        ticket = np.where(np.isnan(gap)[:, None] | no_range[None, :], m.NEUTRAL, ticket)
        kind = (x.need_kinds[r] @ x.offer_kinds.T) / np.maximum(kind_count_n, 1.0)[:, None]
        kind = np.where((kind_count_n[:, None] == 0) | (kind_count_o[None, :] == 0), m.NEUTRAL, kind)
        readiness = np.where(np.isnan(x.readiness[r]), m.NEUTRAL, x.readiness[r] / 100)
        stage_fit = np.where((x.need_stage[r] >= 0)[:, None] & x.offer_names_stages[None, :], 1.0, m.NEUTRAL)
        stage_readiness = (readiness[:, None] + stage_fit) * 0.5
        text = np.minimum(x.need_text[r].toarray() @ x.offer_text_dense.T, 1.0)
        text = np.where(~x.need_has_text[r][:, None] | ~x.offer_has_text[None, :], m.NEUTRAL, text)
        components = (framework, ticket, kind, stage_readiness, text)
        score = components[0] * weights[0]
        for c in range(1, 5):
            score += components[c] * weights[c]
        stage = x.need_stage[r]
        eligible = (x.offer_country_ok[x.need_country[r]] & x.offer_city_ok[x.need_city[r]]
                    & np.where((stage >= 0)[:, None], x.offer_stage_ok[np.maximum(stage, 0)], True)
                    & ~(gap[:, None] * m.TICKET_FAR_OUTSIDE_FACTOR < x.offer_min[None, :])
                    & ~(gap[:, None] > x.offer_max[None, :] * m.TICKET_FAR_OUTSIDE_FACTOR))
        score = np.where(eligible, score, -np.inf)
        order = np.lexsort((np.broadcast_to(x.offer_ids, score.shape), -text, -score), axis=1)[:, :k]
        rows = np.arange(score.shape[0])[:, None]
        best = score[rows, order]
        taken = best > -np.inf
        ids[r] = np.where(taken, x.offer_ids[order], -1)
        scores[r] = np.where(taken, best, np.nan)
        values[r] = np.where(taken[:, :, None], np.stack([c[rows, order] for c in components], axis=2), np.nan)
    return ids, scores, values


# --- Timing --------------------------------------------------------------------------------------------------


def alternated(first: Callable[[], object], second: Callable[[], object], repeat: int
               ) -> tuple[list[float], list[float]]:
    """Time `first` and `second` `repeat` times each, alternately (the order swapped every other time)."""
    times: tuple[list[float], list[float]] = ([], [])
    for i in range(repeat):
        for which in ((0, 1) if i % 2 == 0 else (1, 0)):
            fn = (first, second)[which]
            t0 = time.perf_counter()
            fn()
            times[which].append(time.perf_counter() - t0)
    return times


T = TypeVar("T")


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    """Wall time of one call, and its result."""
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def cpu_and_wall(fn: Callable[[], object], repeat: int) -> tuple[list[float], list[float]]:
    """CPU time (all threads of the process) and wall time of `repeat` calls, for the record."""
    cpu, wall = [], []
    for _ in range(repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c0)
        wall.append(time.perf_counter() - t0)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--needs", type=int, default=10_000)
    parser.add_argument("--offers", type=int, default=2_000)
    parser.add_argument("--repeat", type=int, default=5)
    harness.add_json_args(parser, "matching")
    args = parser.parse_args()
    if not 1 <= args.repeat <= 50 or not 10 <= args.needs <= 100_000 or not 10 <= args.offers <= 20_000:
        raise SystemExit("--repeat must be 1..50, --needs 10..100000 and --offers 10..20000.")
    started = harness.started_at()
    machine = harness.machine_info(sys.executable, None)
    build_s, (needs, offers) = timed(lambda: synthetic(args.needs, args.offers))
    prepare_s, features = timed(lambda: m.prepare(needs, offers))
    inputs = plain_inputs(needs, offers, features)
    weights = m.Weights()
    workers = m.default_workers()
    chunk = m.default_chunk_size(len(offers), workers)
    reference_chunk = m.default_chunk_size(len(offers), 1)

    def module() -> m.Rankings:
        return m.rank(features, weights, offers_per_need=TOP_K, needs_per_offer=0)

    def reference() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return plain_numpy_rank(inputs, weights.normalised(), TOP_K, reference_chunk)

    result, expected = module(), reference()  # warm-up, and the results to compare
    ranking = result.offers_for_needs
    same_ids = float(np.mean(np.all(ranking.ids == expected[0], axis=1)))
    score_difference = float(np.nanmax(np.abs(ranking.scores - expected[1])))
    value_difference = float(np.nanmax(np.abs(ranking.values - expected[2])))
    module_times, reference_times = alternated(module, reference, args.repeat)
    both_times = [timed(lambda: m.rank(features, weights, offers_per_need=TOP_K, needs_per_offer=TOP_K))[0]
                  for _ in range(max(1, args.repeat // 2))]
    single_cpu, single_wall = cpu_and_wall(
        lambda: m.rank(features, weights, offers_per_need=TOP_K, needs_per_offer=0, workers=1), 2)
    module_cpu, module_wall = cpu_and_wall(module, 2)
    matches_s, _ = timed(lambda: [ranking.matches(int(i)) for i in features.need_ids[:1000]])
    figures = {
        "needs": len(needs), "offers": len(offers), "pairs": len(needs) * len(offers),
        "eligible_share": float(np.mean(np.concatenate(
            [m.eligible_matrix(features, slice(s, s + chunk)).ravel() for s in range(0, len(needs), chunk)]))),
        "ngrams": int(features.need_text.shape[1]),
        "text_nonzeros_per_need": features.need_text.nnz / len(needs),
        "text_nonzeros_per_offer": features.offer_text_t.nnz / len(offers),
        "chunk_size": chunk, "workers": workers, "reference_chunk_size": reference_chunk,
        "build_data_s": build_s, "prepare_s": prepare_s,
        "rank_median_s": statistics.median(module_times), "rank_max_s": max(module_times),
        "rank_runs_s": module_times,
        "reference_median_s": statistics.median(reference_times), "reference_max_s": max(reference_times),
        "reference_runs_s": reference_times,
        "rank_both_sides_median_s": statistics.median(both_times),
        "rank_cpu_s": module_cpu, "rank_wall_s_beside_cpu": module_wall,
        "rank_one_worker_cpu_s": single_cpu, "rank_one_worker_wall_s": single_wall,
        "matches_objects_for_1000_needs_s": matches_s,
        "rows_with_the_same_ids_as_the_reference": same_ids,
        "max_score_difference_to_the_reference": score_difference,
        "max_component_difference_to_the_reference": value_difference,
    }
    ratios = {"rank_to_target": figures["rank_median_s"] / TARGET_S,
              "rank_to_plain_numpy": figures["rank_median_s"] / figures["reference_median_s"],
              "references": {"rank": "the same features, scores, eligibility and top 10 with breakdowns in plain "
                                     "NumPy: dense per-chunk products, a full lexsort of every row "
                                     "(see plain_numpy_rank)",
                             "target": f"{TARGET_S:g} s (issue: partner cooperation)"}}
    f = figures
    print(f"machine: {machine['nproc']} cores ({machine['cpu']}), load average {machine['load_average_at_start']}")
    print(f"data: {f['needs']:,} needs x {f['offers']:,} offers ({f['pairs']:,} pairs, {f['eligible_share']:.1%} "
          f"eligible); {f['ngrams']:,} n-grams, {f['text_nonzeros_per_need']:.0f} per need; built in "
          f"{build_s:.2f} s; prepare (features and TF-IDF) {prepare_s:.2f} s")
    print(f"rank, top {TOP_K} offers per need with breakdowns ({args.repeat} runs, {workers} threads, chunks of "
          f"{chunk}): median "
          f"{f['rank_median_s']:.3f} s, max {f['rank_max_s']:.3f} s (target {TARGET_S:g} s: ratio "
          f"{ratios['rank_to_target']:.2f})")
    print(f"plain NumPy reference: median {f['reference_median_s']:.3f} s, max {f['reference_max_s']:.3f} s "
          f"(module / reference: {ratios['rank_to_plain_numpy']:.2f}); same ids in {same_ids:.2%} of rows, "
          f"scores within {score_difference:.1e}")
    print(f"rank both sides (also the top {TOP_K} needs per offer): median {f['rank_both_sides_median_s']:.3f} s; "
          f"Match objects for 1,000 needs: {matches_s * 1000:.1f} ms")
    print(f"CPU time of rank: {min(module_cpu):.3f} s ({workers} threads; wall {min(module_wall):.3f} s), with one "
          f"thread {min(single_cpu):.3f} s (wall {min(single_wall):.3f} s)")
    import scipy
    import sklearn

    harness.write_json(
        harness.json_path(args), "matching", started=started,
        command_line=harness.command("bench_matching.py", {"--needs": args.needs, "--offers": args.offers,
                                                           "--repeat": args.repeat}),
        machine={**machine, "numpy": np.__version__, "scipy": scipy.__version__, "scikit_learn": sklearn.__version__},
        config={"needs": args.needs, "offers": args.offers, "repeat": args.repeat, "top_k": TOP_K, "seed": SEED,
                "weights": dict(zip(m.COMPONENTS, weights.normalised().tolist(), strict=True)),
                "data": f"{COUNTRIES} countries x {CITIES_PER_COUNTRY} cities, {FOCUS_AREAS} focus areas and "
                        f"{ENABLERS} enablers, {len(STAGES)} stages, {len(KINDS)} kinds; texts of 10-30 words in "
                        "English, Vietnamese or Thai (see synthetic)",
                "tfidf": f"char_wb n-grams {m.NGRAM_RANGE}, sublinear tf, fitted on all needs' and offers' texts",
                "timing": "module and reference alternated in the same process, the order swapped every other "
                          "run, after a warm-up of each; prepare timed once",
                "targets": {"rank_s": TARGET_S}},
        figures=figures, ratios=ratios)


if __name__ == "__main__":
    main()
