from search.text import analyze, highlight, query_terms


def test_plural_singular_accents_and_case_meet():
    assert query_terms("Partenariats") == query_terms("partenariat")
    assert query_terms("numérique") == query_terms("NUMERIQUES")
    assert query_terms("résultats") == ["resultat"]


def test_common_words_are_dropped():
    assert query_terms("la fracture des seniors") == query_terms("fracture seniors")
    assert analyze("l'insertion d'un jeune") == analyze("insertion jeune")


def test_highlight_marks_words_whatever_their_form_and_escapes_the_rest():
    html = highlight("Des <b>partenariats</b> & un Partenariat.", query_terms("partenariat"))
    assert html == "Des &lt;b&gt;<mark>partenariats</mark>&lt;/b&gt; &amp; un <mark>Partenariat</mark>."


def test_highlight_centres_on_the_first_match_of_a_long_text():
    text = "mot " * 200 + "seniors connectés " + "fin " * 200
    html = highlight(text, query_terms("seniors"), width=60)
    assert html.startswith("…") and html.endswith("…") and "<mark>seniors</mark>" in html and len(html) < 120
