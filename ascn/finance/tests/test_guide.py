"""The financing-option guide (pure): blockers make an instrument unsuitable, matches raise its score."""

from ascn.finance.guide import Instrument, Project, assess, rank

BOND = Instrument("municipal-bond", "Municipal bond", frozenset({"full", "partial"}), min_size_usd=20e6,
                  needs_borrowing_powers=True, needs_creditworthiness=True)
CONCESSION = Instrument("ppp-concession", "PPP user-pays concession", frozenset({"full"}), min_size_usd=10e6,
                        needs_revenue_stream=True, needs_ppp_framework=True,
                        stages=frozenset({"feasibility", "procurement"}))
GRANT = Instrument("grant", "Grant or trust fund", frozenset({"none", "partial"}), max_size_usd=5e6,
                   stages=frozenset({"concept", "pre_feasibility", "feasibility"}))
CLIMATE = Instrument("climate-fund", "Climate fund", frozenset({"none", "partial", "full"}),
                     focus_areas=frozenset({"quality_environment"}))

WATER_UTILITY = Project(revenue="full", size_usd=50e6, city_may_borrow=True, city_creditworthy=True,
                        ppp_framework=True, focus_area="quality_environment", stage="feasibility")


def texts(fit) -> list[tuple[bool, str]]:
    return [(r.fits, r.text) for r in fit.reasons]


def test_a_project_that_meets_everything():
    fit = assess(WATER_UTILITY, CONCESSION)
    assert (fit.verdict, fit.score) == ("good", 100)
    assert texts(fit) == [
        (True, "It suits a project that pays for itself from user charges."),
        (True, "The project's size is in the usual range."),
        (True, "It suits the project's stage."),
        (True, "It is used for projects of this focus area."),
    ]


def test_a_blocker_makes_an_instrument_unsuitable_and_says_which():
    city_without_powers = Project(revenue="full", size_usd=50e6, city_may_borrow=False, city_creditworthy=False,
                                  ppp_framework=True)
    fit = assess(city_without_powers, BOND)
    assert (fit.verdict, fit.score) == ("unsuitable", 0)
    assert texts(fit)[:2] == [
        (False, "It needs a city that may borrow in its own name; you did not say that this city may."),
        (False, "Lenders need a credit rating or a repayment record; you did not say that the city has one."),
    ]
    no_revenue = Project(revenue="none", size_usd=50e6, city_may_borrow=True, city_creditworthy=True,
                         ppp_framework=False)
    assert texts(assess(no_revenue, CONCESSION))[:2] == [
        (False, "It is repaid from user charges, and you said the project earns none."),
        (False, "It needs a national PPP law and unit; you did not say that the country has them."),
    ]


def test_partial_matches_score_by_their_weights():
    small_public_park = Project(revenue="none", size_usd=2e6, city_may_borrow=False, city_creditworthy=False,
                                ppp_framework=False, focus_area="civic_social", stage="implementation")
    fit = assess(small_public_park, GRANT)
    assert (fit.verdict, fit.score) == ("good", 80)  # revenue 40 + size 25 + focus (any) 15; stage missed
    assert (False, "It is used at other stages than the project's.") in texts(fit)
    unknown_cost = Project(revenue="none", size_usd=None, city_may_borrow=False, city_creditworthy=False,
                           ppp_framework=False)
    assert (False, "You did not give the capital cost, so the size cannot be judged.") in texts(
        assess(unknown_cost, GRANT))


def test_ranking_puts_good_fits_first_and_unsuitable_last():
    ranked = rank(WATER_UTILITY, [GRANT, BOND, CLIMATE, CONCESSION])
    assert [(f.instrument.slug, f.verdict, f.score) for f in ranked] == [
        ("climate-fund", "good", 100), ("municipal-bond", "good", 100), ("ppp-concession", "good", 100),
        ("grant", "possible", 35),
    ]
    park = Project(revenue="none", size_usd=1e6, city_may_borrow=False, city_creditworthy=False,
                   ppp_framework=False, focus_area="civic_social", stage="concept")
    assert [f.verdict for f in rank(park, [BOND, CONCESSION, GRANT])] == ["good", "unsuitable", "unsuitable"]


def test_a_blocker_says_what_the_user_answered_not_what_a_country_or_city_has():
    """An unticked box may mean "no" or "not known": Viet Nam has a PPP law, and a user who left the box empty
    must not read that it "does not have" one."""
    nothing_ticked = Project(revenue="none", size_usd=None, city_may_borrow=False, city_creditworthy=False,
                             ppp_framework=False)
    blockers = [text for instrument in (BOND, CONCESSION) for fits, text in texts(assess(nothing_ticked, instrument))
                if not fits and ("need" in text or "repaid" in text)]
    assert len(blockers) == 4
    for text in blockers:
        assert "you did not say" in text or "you said" in text, text
        assert "does not have" not in text and "may not." not in text, text
