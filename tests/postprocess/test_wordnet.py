"""WordNet database files (a tiny hand-made database in WordNet 3.0's format) to lexicons."""
import shutil

import pytest
from conftest import FIXTURES

from embkit.exceptions import EmbkitError, FormatError, InvalidParameterError
from embkit.postprocess.retrofit import retrofit
from embkit.postprocess.wordnet import read_wordnet

WORDNET = FIXTURES / "retrofit" / "wordnet"


def as_dict(lex):
    return {h: [n for n, _ in nbrs] for h, nbrs in lex.items()}


def test_synonyms_hypernyms_hyponyms_by_default():
    lex = read_wordnet(WORDNET)
    assert as_dict(lex) == {
        "animal": ["beast", "canis_familiaris", "dog", "domestic_dog", "entity"],
        "beast": ["animal", "canis_familiaris", "dog", "domestic_dog", "entity"],
        "canis_familiaris": ["animal", "beast", "dog", "domestic_dog", "lassie"],   # instance hyponym
        "damp": ["moist"],                                                           # (p) marker removed
        "dog": ["animal", "beast", "canis_familiaris", "domestic_dog", "lassie"],
        "domestic_dog": ["animal", "beast", "canis_familiaris", "dog", "lassie"],
        "entity": ["animal", "beast"],
        "lassie": ["canis_familiaris", "dog", "domestic_dog"],                       # instance hypernym
        "moist": ["damp"],
        "quickly": ["rapidly"],
        "rapidly": ["quickly"],
    }
    assert lex.name == "wordnet" and lex.path == str(WORDNET)


def test_similar_to_and_derivation():
    lex = read_wordnet(WORDNET, ["similar-to", "derivation"])
    # similar-to links whole synsets (wet -> the satellite damp/moist); derivation links the two words named
    assert as_dict(lex) == {"animal": ["animate"], "animate": ["animal"], "damp": ["wet"], "moist": ["wet"],
                            "wet": ["damp", "moist"]}
    assert as_dict(read_wordnet(WORDNET, "synonym")) == {
        "animal": ["beast"], "beast": ["animal"], "canis_familiaris": ["dog", "domestic_dog"],
        "damp": ["moist"], "dog": ["canis_familiaris", "domestic_dog"],
        "domestic_dog": ["canis_familiaris", "dog"], "moist": ["damp"], "quickly": ["rapidly"],
        "rapidly": ["quickly"]}


def test_relations_are_checked():
    for bad in (["synonyms"], [], ["antonym"]):
        with pytest.raises(InvalidParameterError) as err:
            read_wordnet(WORDNET, bad)
        assert err.value.param == "relations"


def test_missing_data_file(tmp_path):
    shutil.copytree(WORDNET, tmp_path / "wn")
    (tmp_path / "wn" / "data.adv").unlink()
    with pytest.raises(EmbkitError, match="no WordNet data file data.adv"):
        read_wordnet(tmp_path / "wn")


@pytest.mark.parametrize("line, message", [
    ("00000950 02 r xx quickly 0 000 | bad word count\n", "not a WordNet data line"),
    ("00000950 02 r 01 quickly 0 002 @ 00000100 n 0000 | too few pointers\n", "not a WordNet data line"),
    ("00000950 02 r 01 swiftly 0 001 @ 00099999 n 0000 | dangling\n", "which no data file holds"),
    ("00000950 02 r 01 swiftly 0 001 + 00000900 r 0105 | no word 5\n", "which its synsets do not have"),
])
def test_malformed_lines_name_file_and_line(tmp_path, line, message):
    shutil.copytree(WORDNET, tmp_path / "wn")
    adv = tmp_path / "wn" / "data.adv"
    adv.write_text(adv.read_text() + line)
    with pytest.raises(FormatError, match=message) as err:
        read_wordnet(tmp_path / "wn", ["synonym", "hypernym", "derivation"])
    assert err.value.lineno == 3 and err.value.path.endswith("data.adv")


def test_retrofit_with_a_wordnet_lexicon():
    from embkit import KeyedVectors

    kv = KeyedVectors(["dog", "Lassie", "beast"], [[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    out = retrofit(kv, read_wordnet(WORDNET), iterations=1, case="fold")
    # dog -> beast, Lassie (lassie matches the key Lassie when folding case)
    assert out.meta["retrofit"]["report"]["words"]["in_both"] == 3
    assert out["dog"].tolist() == pytest.approx([(1.0 + 0.3) / 2, (0.0 + 0.9) / 2])
