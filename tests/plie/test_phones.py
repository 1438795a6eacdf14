"""Phone numbers are stored in E.164; French, overseas and landline numbers are recognised."""

import pytest
from django.core.exceptions import ValidationError

from plie.phones import PhoneField, normalize_phone, parse_phone
from tests.factories import ParticipantFactory


@pytest.mark.parametrize(
    ("typed", "e164", "region", "mobile"),
    [
        ("06 12 34 56 78", "+33612345678", "FR", True),
        ("0612345678", "+33612345678", "FR", True),
        ("06.12.34.56.78", "+33612345678", "FR", True),
        ("06-12-34-56-78", "+33612345678", "FR", True),
        ("+33 6 12 34 56 78", "+33612345678", "FR", True),
        ("0033 6 12 34 56 78", "+33612345678", "FR", True),
        ("+33 (0)6 12 34 56 78", "+33612345678", "FR", True),
        ("07 81 23 45 67", "+33781234567", "FR", True),
        ("05 49 24 00 00", "+33549240000", "FR", False),
        ("02 31 30 41 00", "+33231304100", "FR", False),
        ("09 72 12 34 56", "+33972123456", "FR", False),
        ("0690 00 12 34", "+590690001234", "GP", True),
        ("0696 20 12 34", "+596696201234", "MQ", True),
        ("0694 20 12 34", "+594694201234", "GF", True),
        ("0692 12 34 56", "+262692123456", "RE", True),
        ("0639 01 23 45", "+262639012345", "YT", True),
        ("0262 12 34 56", "+262262123456", "RE", False),
        ("+590 690 00 12 34", "+590690001234", "GP", True),
        ("+32 470 12 34 56", "+32470123456", "BE", True),
    ],
)
def test_valid_numbers_are_normalised(typed, e164, region, mobile):
    phone = parse_phone(typed)
    assert (phone.e164, phone.region, phone.is_mobile) == (e164, region, mobile)


@pytest.mark.parametrize(
    "junk",
    ["", "   ", "abc", "06 12", "12", "0612345678x", "06 12 34 56 78 90 12", "99999999999", "+33 1", "tel: 06"],
)
def test_junk_is_refused_in_french(junk):
    with pytest.raises(ValidationError) as caught:
        parse_phone(junk)
    assert "Numéro de téléphone invalide" in caught.value.messages[0]


def test_a_landline_is_not_accepted_as_mobile():
    with pytest.raises(ValidationError) as caught:
        normalize_phone("05 49 24 00 00", mobile=True)
    assert "n'est pas un mobile" in caught.value.messages[0]
    assert normalize_phone("05 49 24 00 00") == "+33549240000"


def test_form_field_cleans_to_e164_and_allows_empty():
    field = PhoneField(mobile=True, required=False)
    assert field.clean("06 12 34 56 78") == "+33612345678"
    assert field.clean("") == ""
    with pytest.raises(ValidationError):
        field.clean("pas un numéro")


def test_participant_clean_normalises_its_numbers(db):
    participant = ParticipantFactory.build(telephone_mobile="0690 00 12 34", telephone_fixe="05.49.24.00.00")
    participant.clean()
    assert participant.telephone_mobile == "+590690001234"
    assert participant.telephone_fixe == "+33549240000"


def test_participant_clean_reports_each_bad_number(db):
    participant = ParticipantFactory.build(telephone_mobile="05 49 24 00 00", telephone_fixe="abc")
    with pytest.raises(ValidationError) as caught:
        participant.clean()
    assert set(caught.value.message_dict) == {"telephone_mobile", "telephone_fixe"}
