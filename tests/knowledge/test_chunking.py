from __future__ import annotations

from knowledge.chunking import MAX_CHARS, chunk_document, chunk_markdown


def test_chunks_follow_headings_and_keep_title_and_path() -> None:
    text = ("# Disk full\n\nWhen it fires.\n\n## Triage\nrun df -h\n\n```sh\n# a comment, not a heading\n```\n"
            "### Inodes\nrun df -i\n## Fix\nrotate logs\n")
    chunks = chunk_markdown(text, "ops/disk-full.md")
    assert [c.section for c in chunks] == ["Overview", "Triage", "Triage > Inodes", "Fix"]
    assert {c.title for c in chunks} == {"Disk full"}
    assert {c.source for c in chunks} == {"ops/disk-full.md"}
    assert "# a comment, not a heading" in chunks[1].text
    assert [c.index for c in chunks] == [0, 1, 2, 3]


def test_long_sections_are_split_within_the_limit() -> None:
    paragraphs = "\n\n".join(f"Paragraph {i} " + "word " * 60 for i in range(20))
    chunks = chunk_markdown(f"# Big\n\n## Body\n{paragraphs}\n", "big.md")
    assert len(chunks) > 3
    assert all(len(c.text) <= MAX_CHARS for c in chunks)
    assert "Paragraph 19" in chunks[-1].text


def test_title_falls_back_to_file_name_and_comments_are_dropped() -> None:
    chunks = chunk_markdown("<!-- fixture note -->\n## Only a section\ntext\n", "dir/no-title_here.md")
    assert chunks[0].title == "no title here"
    assert all("fixture note" not in c.text for c in chunks)


def test_plain_text_is_chunked_by_paragraph() -> None:
    chunks = chunk_document("first para\n\nsecond para", "notes/readme.txt")
    assert len(chunks) == 1 and chunks[0].section == "Text" and "second para" in chunks[0].text
    assert chunk_document("", "empty.md") == []
