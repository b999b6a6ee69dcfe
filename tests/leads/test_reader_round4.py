"""Reading rules of round 4 (issue 12: fewer misread answers), each on texts written for the test rather than taken
from the corpus: how areas are introduced and listed, property types in everyday words, timelines as ranges, in
Spanish and beside past events."""

from datetime import date

import pytest

from leads.reader import read

TODAY = date(2026, 4, 14)


def facts_of(text, asked, lead_type="buyer", today=TODAY):
    return read(text, asked=asked, lead_type=lead_type, today=today).facts


# --- areas ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, asked, places", [
    ("Also open to Jackson Heights", "", ["Jackson Heights"]),
    ("we'd also consider riverdale", "bedrooms", ["Riverdale"]),
    ("open to lic or astoria", "areas", ["Long Island City", "Astoria"]),
    ("por el lado de las lomas o rancho viejo", "areas", ["Las Lomas", "Rancho Viejo"]),
    ("la zona de coyoacan", "areas", ["Coyoacan"]),
])
def test_an_area_introduced_by_open_to_consider_or_the_side_of_is_read(text, asked, places):
    assert facts_of(text, asked)["areas"] == places


def test_a_list_of_places_before_the_word_area_is_read_whatever_was_asked():
    stated = facts_of("300 max. pearland or friendswood area, 3 bed", "budget")
    assert stated["areas"] == ["Pearland", "Friendswood"] and stated["budget_max"] == 300000


def test_the_area_a_phrase_describes_after_in_the_is_not_a_list():
    assert "areas" not in facts_of("we like it in the quiet area", "budget")


def test_a_condition_after_a_list_of_places_is_no_place():
    # Told while another question was pending: the places still count, the condition does not.
    assert facts_of("brookline, newton, maybe waltham if the price is right", "timeline_days")["areas"] == [
        "Brookline", "Newton", "Waltham"]


def test_a_type_of_home_beside_a_list_of_places_leaves_the_places():
    stated = facts_of("cedar park or leander, 4br house", "")
    assert stated["areas"] == ["Cedar Park", "Leander"] and stated["property_type"] == "single_family"


@pytest.mark.parametrize("text, places", [
    ("west u or rice military", ["West U", "Rice Military"]),
    ("west u", ["West U"]),
    ("ocotlan u oaxaca", ["Ocotlan", "Oaxaca"]),
])
def test_spanish_u_is_or_only_before_an_o_sound(text, places):
    assert facts_of(text, "areas")["areas"] == places


@pytest.mark.parametrize("text, places", [
    ("la vergne or la mesa", ["La Vergne", "La Mesa"]),
    ("el paso", ["El Paso"]),
])
def test_the_article_of_a_one_word_place_is_part_of_its_name(text, places):
    assert facts_of(text, "areas")["areas"] == places


def test_the_point_of_an_abbreviated_place_does_not_end_the_phrase():
    assert facts_of("a 2 bed condo in St. Augustine, around 300", "")["areas"] == ["St. Augustine"]


def test_a_street_and_a_day_are_no_area():
    assert "areas" not in facts_of("we might come to the open house on maple ave saturday", "")


# --- property types ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "we went to an open house last weekend and want to buy",
    "i keep looking at houses on redfin, time to buy",
    "saw the house on elm on your site, we're buying soon",
    "our landlord sold the house we rent, so we're buying now",
])
def test_a_home_named_in_passing_is_no_type_wanted(text):
    assert "property_type" not in facts_of(text, "")


@pytest.mark.parametrize("text, kind", [
    ("quiero comprar un departamento en polanco", "condo"),
    ("looking to buy a 1 bedroom apartment", "condo"),
    ("buying an apartment building", "multi_family"),
    ("single story, 3 bed", "single_family"),
    ("casa de un piso con patio", "single_family"),
    ("casa, 3 recamaras", "single_family"),  # a home word as a piece of its own answers the type
])
def test_property_types_in_everyday_words(text, kind):
    assert facts_of(text, "")["property_type"] == kind


def test_an_apartment_each_unit_has_is_no_type():
    assert "property_type" not in facts_of("with each depa having 2 recamaras is fine", "bedrooms")


def test_a_renters_apartment_is_no_type():
    assert "property_type" not in facts_of("need an apartment to rent near the lake", "", "renter")


def test_a_home_word_inside_a_sentence_answers_the_type_only_when_asked():
    assert "property_type" not in facts_of("we want our own casa someday", "budget")


# --- timelines -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, days", [
    ("en un año o año y medio", 545),
    ("6 months to a year", 365),
    ("a year or two", 730),
    ("probably not for a year or 2", 730),
    ("within 2 or 3 weeks", 21),
])
def test_a_range_of_spans_reads_as_its_upper_bound(text, days):
    assert facts_of(text, "timeline_days")["timeline_days"] == days


def test_a_text_that_is_a_time_phrase_answers_the_timeline_whatever_was_asked():
    assert facts_of("en un año o año y medio", "budget")["timeline_days"] == 545


def test_not_for_a_year_is_a_wait_not_a_past_stay():
    assert "timeline_days" not in facts_of("we lived there for 2 years", "timeline_days")
    assert facts_of("not for a year at least", "timeline_days")["timeline_days"] == 365


def test_a_month_with_next_year_in_another_clause_is_that_month_next_year():
    assert facts_of("once the lease runs out next year, so march", "timeline_days",
                    today=date(2026, 9, 1))["timeline_days"] == 196


def test_a_stated_span_says_more_than_asap():
    assert facts_of("asap, within 6 weeks tops", "timeline_days")["timeline_days"] == 42


def test_a_date_right_after_a_past_verb_is_an_event():
    stated = facts_of("quiero vender la casa de mi tía que murió en marzo", "", "seller")
    assert "timeline_days" not in stated


def test_a_present_tense_verb_before_a_future_date_is_the_plan():
    assert facts_of("a lo mejor compramos el próximo año", "")["timeline_days"] == 365


def test_a_retirement_plan_is_a_timeline():
    assert facts_of("probably in a few years when we retire", "address", "seller")["timeline_days"] == 1095


# --- financing -----------------------------------------------------------------------------------------------


def test_a_shortened_pre_approval_is_read():
    assert facts_of("pre-appr thru navy fed", "financing")["financing"] == "pre_approved"


def test_a_sentence_that_is_only_a_time_phrase_answers_the_timeline():
    assert facts_of("maybe in a couple years. we'll text you when we're ready", "name")["timeline_days"] == 730
    assert "timeline_days" not in facts_of("we paid 300k. in 2 years it doubled", "name")


def test_asking_what_a_home_is_worth_without_an_apostrophe_is_an_agents_question():
    reading = read("whats our house worth? 88 Birch Ln", asked="", lead_type="", today=TODAY)
    assert reading.intent.value == "agent_question" and reading.facts["address"] == "88 Birch Ln"


def test_a_corrected_place_replaces_and_the_ruled_out_one_is_no_wish():
    reading = read("sorry, boise not meridian, meridian is too far", asked="timeline_days", lead_type="buyer",
                   today=TODAY)
    assert reading.facts["areas"] == ["Boise"] and reading.replaces == ("areas",)


def test_a_home_word_inside_a_place_name_is_no_type():
    assert "property_type" not in facts_of("maybe cottage grove or sugar house", "areas")
    assert "property_type" not in facts_of("oops, millcreek not sugar house", "timeline_days")


def test_a_name_before_the_word_area_is_a_place():
    reading = read("need a place to lease by may, 1 bd. tyler area", asked="", lead_type="", today=TODAY)
    assert reading.name == "" and reading.facts["areas"] == ["Tyler"]


@pytest.mark.parametrize("text", ["not buying anytime soon, just looking", "we won't be moving any time soon",
                                  "no tan pronto la verdad"])
def test_time_said_only_to_be_ruled_out_is_no_timeline(text):
    assert "timeline_days" not in facts_of(text, "timeline_days")


def test_soon_on_its_own_is_still_a_timeline():
    assert facts_of("hopefully soon", "timeline_days")["timeline_days"] == 30


def test_dictated_punctuation_ends_lists_and_clauses():
    reading = read("looking in decatur or east point period we are preapproved comma budget 400", asked="",
                   lead_type="buyer", today=TODAY)
    assert reading.facts["areas"] == ["Decatur", "East Point"] and reading.facts["budget_max"] == 400000
    assert "areas" not in facts_of("what is the grace period on the option", "")


@pytest.mark.parametrize("text, low, high", [("between 900 and 1.2 million", 900000, 1200000),
                                             ("850 to 1.1m", 850000, 1100000)])
def test_a_range_across_a_million_reads_its_low_end_in_thousands(text, low, high):
    stated = facts_of(text, "budget")
    assert (stated["budget_min"], stated["budget_max"]) == (low, high)


def test_an_article_inside_a_list_of_places_is_part_of_a_name():
    assert facts_of("hermitage, la vergne or smyrna", "")["areas"] == ["Hermitage", "La Vergne", "Smyrna"]


@pytest.mark.parametrize("text", ["its rough, the roof leaks", "it's damaged from the storm", "kinda dated, mold in the basement"])
def test_a_condition_in_everyday_words_is_read_and_its_is_no_name_for_a_description(text):
    reading = read(text, asked="condition", lead_type="seller", today=TODAY)
    assert reading.facts["condition"] and reading.name == ""


def test_its_still_introduces_a_known_first_name():
    assert read("oh and its marcus btw", asked="condition", lead_type="seller", today=TODAY).name == "Marcus"


def test_another_sale_the_prospect_takes_as_their_own_price_counts():
    assert facts_of("the house next door sold for 410 so about that", "price_expectation", "seller")[
        "price_expectation"] == 410000
    assert "price_expectation" not in facts_of("the house next door sold for 410", "price_expectation", "seller")


@pytest.mark.parametrize("text", ["we already have an agent, thanks", "we're under contract on a place already",
                                  "ya tenemos agente, gracias"])
def test_a_prospect_served_by_someone_else_is_not_interested_not_an_agents_question(text):
    assert read(text, asked="lead_type", lead_type="", today=TODAY).intent.value == "not_interested"


def test_a_contract_question_is_still_for_an_agent():
    assert read("can you send me the listing contract?", asked="", lead_type="seller",
                today=TODAY).intent.value == "agent_question"


def test_transit_is_a_wish_about_surroundings_not_an_area():
    assert "areas" not in facts_of("somewhere near light rail or the metro", "areas")


@pytest.mark.parametrize("text, days", [("now", 14), ("honestly we're ready now", 14), ("the sooner the better", 14),
                                        ("0-3", 90), ("like 3-6", 180), ("nxt mnth", 45), ("in the nxt cpl months", 60)])
def test_timeline_answers_in_shorthand_and_urgency_words(text, days):
    assert facts_of(text, "timeline_days")["timeline_days"] == days


@pytest.mark.parametrize("text", ["not now", "we aren't in a hurry", "no rush"])
def test_urgency_words_ruled_out_are_no_timeline(text):
    assert "timeline_days" not in facts_of(text, "timeline_days")


def test_now_outside_a_timeline_answer_is_no_date():
    assert "timeline_days" not in facts_of("we rent now and want 3 beds", "bedrooms")


@pytest.mark.parametrize("text, count", [("two is plenty", 2), ("three, though a fourth would be nice", 3),
                                         ("4 would be great", 4)])
def test_a_bedroom_count_in_words_with_a_remark(text, count):
    assert facts_of(text, "bedrooms")["bedrooms"] == count


def test_a_second_count_after_the_first_is_a_range_not_read():
    assert "bedrooms" not in facts_of("3, but 4 if possible", "bedrooms")


def test_a_town_that_is_also_a_first_name_answering_the_areas_question_is_the_town():
    reading = read("Gilbert", asked="areas", lead_type="buyer", today=TODAY)
    assert reading.facts["areas"] == ["Gilbert"] and reading.name == ""


def test_a_misspelt_townhouse_is_a_townhouse():
    assert facts_of("townhous w/ garage", "property_type")["property_type"] == "townhouse"


@pytest.mark.parametrize("text", ["don't stop now, this is helpful lol", "can we see it this weekend? the 2 bed one"])
def test_urgency_words_inside_another_message_are_no_timeline(text):
    assert "timeline_days" not in facts_of(text, "timeline_days")


def test_n_for_in_after_a_verb_introduces_areas():
    assert facts_of("lookin to buy n cedar rapids or marion", "")["areas"] == ["Cedar Rapids", "Marion"]
    assert facts_of("3 bed n 2 bath", "bedrooms") == {"bedrooms": 3, "bathrooms": 2.0}


def test_plans_are_no_place():
    assert "areas" not in read("buy n sell", asked="", lead_type="", today=TODAY).facts


@pytest.mark.parametrize("text, kind", [("haven't yet", "not_started"), ("still figuring out financing tbh", "not_started"),
                                        ("necesitamos préstamo", "not_started"), ("el banco ya nos preaprobó", "pre_approved"),
                                        ("vamos a pagar en efectibo", "cash")])
def test_financing_answers_in_everyday_words(text, kind):
    assert facts_of(text, "financing")["financing"] == kind


def test_haven_t_outside_the_financing_answer_is_no_financing():
    assert "financing" not in facts_of("haven't yet", "areas")


@pytest.mark.parametrize("text, name", [("Beto", "Beto"), ("Nacho. still looking", "Nacho")])
def test_a_name_the_census_list_lacks_counts_when_written_capitalised_on_its_own(text, name):
    assert read(text, asked="financing", lead_type="buyer", today=TODAY).name == name


@pytest.mark.parametrize("text", ["beto", "Cash", "we like Nacho's place"])
def test_a_lowercase_or_everyday_or_inline_word_is_no_late_name(text):
    assert read(text, asked="financing", lead_type="buyer", today=TODAY).name == ""


def test_the_point_of_st_ends_no_sentence_for_a_late_name():
    reading = read("Kissimmee o St. Cloud", asked="areas", lead_type="buyer", today=TODAY)
    assert reading.facts["areas"] == ["Kissimmee", "St. Cloud"] and reading.name == ""


# --- addresses with the street type first -------------------------------------------------------------------------


@pytest.mark.parametrize("text, address", [
    ("Hi, I'm thinking of selling my house at 4410 Avenue F", "4410 Avenue F"),
    ("we live at 12 Calle Luna Dr in Santa Fe", "12 Calle Luna Dr"),
    ("8800 County Road 12, Manor TX", "8800 County Road 12"),
    ("selling my place at 2817 N Sawyer Ave", "2817 N Sawyer Ave"),
])
def test_a_street_type_before_its_name_makes_an_address_in_any_text(text, address):
    assert facts_of(text, "", lead_type="seller")["address"] == address


@pytest.mark.parametrize("text", ["I have 2 avenues to consider", "1200 avenue and then", "we need 3 bedrooms"])
def test_a_number_before_a_street_word_is_no_address_by_itself(text):
    assert "address" not in facts_of(text, "", lead_type="seller")


@pytest.mark.parametrize("text, days", [
    ("right now we rent in dallas", None), ("we rent right now", None), ("right now im just looking", None),
    ("we want to move right now", 14), ("need something right now", 14), ("right now, asap", 14),
])
def test_right_now_is_a_date_only_beside_a_move_or_a_need(text, days):
    assert facts_of(text, "").get("timeline_days") == days


def test_right_now_answering_the_timeline_question_is_as_soon_as_possible():
    assert facts_of("right now", "timeline_days")["timeline_days"] == 14
