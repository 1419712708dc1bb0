"""Post HTML becomes the text a reader sees, never markup that could run."""

from __future__ import annotations

from ecoute.sources._html import html_to_text


def test_paragraphs_line_breaks_lists_and_link_text_are_kept():
    markup = (
        "<p>Bonjour,<br>la commande</p><ul><li>un</li><li>deux</li></ul>"
        "<p><a href='u'>suivi</a></p>"
    )
    assert html_to_text(markup) == "Bonjour,\nla commande\n\nun\ndeux\n\nsuivi"


def test_mastodon_link_with_hidden_parts_reads_as_the_whole_address():
    markup = (
        '<a href="https://ex.fr/a/b"><span class="invisible">https://</span>'
        '<span class="ellipsis">ex.fr/a</span><span class="invisible">/b</span></a>'
    )
    assert html_to_text(markup) == "https://ex.fr/a/b"


def test_scripts_styles_and_attributes_are_dropped_and_escaped_markup_stays_text():
    markup = (
        "<style>p{color:red}</style><p onclick='x()'>ok<script>alert(1)</script>"
        "<iframe src='evil'>in frame</iframe> &lt;script&gt;alert(2)&lt;/script&gt;</p>"
        "<script>never closed"
    )
    assert html_to_text(markup) == "ok <script>alert(2)</script>"


def test_preformatted_text_keeps_its_spaces():
    assert html_to_text("<pre>  a\n    b</pre>") == "a\n    b"
