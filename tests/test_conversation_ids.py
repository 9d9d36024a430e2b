import pytest

from massage.conversation_ids import namespaced, split


def test_an_id_comes_back_with_its_channel():
    assert namespaced("whatsapp", "whatsapp:+13105550100") == "whatsapp:whatsapp:+13105550100"
    assert split("whatsapp:whatsapp:+13105550100") == ("whatsapp", "whatsapp:+13105550100")
    assert split(namespaced("web", "3f2a")) == ("web", "3f2a")


@pytest.mark.parametrize("bad", ["", "abc", "sms:123", "rest:", ":abc"])
def test_an_id_without_a_known_channel_is_refused(bad):
    with pytest.raises(ValueError):
        split(bad)


def test_an_unknown_channel_cannot_be_named():
    with pytest.raises(ValueError):
        namespaced("email", "x")
