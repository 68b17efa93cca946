from __future__ import annotations

from fakescope.text.language import check_english


def test_english_prose_passes():
    r = check_english(
        "The report was published on Monday and it said that most of the schools in the "
        "region would need new buildings within the next ten years."
    )
    assert r.ok
    assert r.stopword_share > 0.3


def test_other_latin_languages_abstain():
    fr = check_english(
        "Le gouvernement a annoncé mardi une nouvelle réforme des retraites, qui sera "
        "présentée au parlement dès la semaine prochaine selon plusieurs ministres."
    )
    assert not fr.ok and "English" in fr.reason


def test_non_latin_script_abstains():
    r = check_english("Президент заявил, что новые меры вступят в силу в следующем месяце.")
    assert not r.ok and "non-Latin" in r.reason
    zh = check_english("今天天气很好，我们去公园散步，然后一起吃午饭。")
    assert not zh.ok


def test_short_text_is_left_to_the_length_rule():
    assert check_english("Bonjour").ok
