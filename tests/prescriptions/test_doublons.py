"""The same person is recognised however a prescripteur typed the name; homonyms are not merged."""

import datetime

import pytest

from prescriptions.doublons import Correspondance, Identite, comparer, normaliser

NE_LE = datetime.date(1987, 3, 14)
AUTRE_DATE = datetime.date(1987, 4, 13)
MOBILE = "+33612345678"
FIXE = "+33549240000"


def personne(nom, prenoms, date=NE_LE, **autres):
    return Identite(nom_usage=nom, prenoms=prenoms, date_naissance=date, **autres)


CAS = [
    # Same person, typed differently: strong match.
    pytest.param(personne("Dupont", "Marie"), personne("Dupont", "Marie"), "forte", id="identiques"),
    pytest.param(personne("Lefèvre", "Éloïse"), personne("Lefevre", "Eloise"), "forte", id="accents"),
    pytest.param(personne("DUPONT", "MARIE"), personne("dupont", "marie"), "forte", id="casse"),
    pytest.param(personne("Martin", "Jean-Pierre"), personne("Martin", "Jean Pierre"), "forte", id="tiret-espace"),
    pytest.param(personne("Martin", "Jeanpierre"), personne("Martin", "Jean-Pierre"), "forte", id="prenom-colle"),
    pytest.param(personne("N’Diaye", "Awa"), personne("N'Diaye", "Awa"), "forte", id="apostrophe-courbe-droite"),
    pytest.param(personne("N‘Diaye", "Awa"), personne("N`Diaye", "Awa"), "forte", id="apostrophe-ouvrante-grave"),
    pytest.param(personne("N'Diaye", "Awa"), personne("NDiaye", "Awa"), "forte", id="apostrophe-absente"),
    pytest.param(personne("  Le  Gall ", " Yann  "), personne("Le Gall", "Yann"), "forte", id="espaces-en-trop"),
    pytest.param(personne("Le Gall", "Yann"), personne("Legall", "Yann"), "forte", id="nom-compose-colle"),
    pytest.param(
        personne("De La Fontaine", "Jean"), personne("Delafontaine", "Jean"), "forte", id="particules-collees"
    ),
    pytest.param(personne("Ste. Croix", "Anne"), personne("Ste-Croix", "Anne"), "forte", id="point-tiret"),
    pytest.param(personne("Lecœur", "Lætitia"), personne("Lecoeur", "Laetitia"), "forte", id="ligatures"),
    pytest.param(
        personne("Martin", "Sophie"),
        Identite("Dupont", "Martin", "Sophie", NE_LE),
        "forte",
        id="adressee-sous-nom-de-naissance",
    ),
    pytest.param(
        Identite("Dupont", "Martin", "Sophie", NE_LE),
        personne("Martin", "Sophie"),
        "forte",
        id="connue-sous-nom-de-naissance",
    ),
    pytest.param(
        Identite("Durand", "Martin", "Sophie", NE_LE),
        Identite("Dupont", "Martin", "Sophie", NE_LE),
        "forte",
        id="remariee-meme-nom-de-naissance",
    ),
    pytest.param(personne("Marie", "Dupont"), personne("Dupont", "Marie"), "forte", id="nom-prenom-inverses"),
    pytest.param(personne("Éloïse", "N’Diaye"), personne("NDIAYE", "Eloise"), "forte", id="inverses-et-graphie"),
    pytest.param(personne("Dupont", "Marie Claire"), personne("Dupont", "Marie-Claire"), "forte", id="prenom-compose"),
    pytest.param(personne("Dupont", "Marie Claire Louise"), personne("Dupont", "Marie"), "forte", id="premier-prenom"),
    pytest.param(
        personne("Dupont", "Marie, Claire, Louise"), personne("Dupont", "Marie Claire"), "forte", id="prenoms-virgules"
    ),
    pytest.param(personne("Benali", "Mohamed Amine"), personne("Benali", "Mohamed"), "forte", id="mohamed-amine"),
    # Homonyms, twins, missing data: no strong match.
    pytest.param(
        personne("Martin", "Nicolas"), personne("Martin", "Nicolas", AUTRE_DATE), None, id="homonymes-autre-date"
    ),
    pytest.param(personne("Dupont", "Marie"), personne("Durand", "Paul"), None, id="meme-date-autres-noms"),
    pytest.param(personne("Dupont", "Marie"), personne("Durand", "Marie"), None, id="meme-prenom-autre-nom"),
    pytest.param(personne("Dupont", "Marie", None), personne("Dupont", "Marie", None), None, id="dates-inconnues"),
    pytest.param(personne("Dupont", "Marie"), personne("Dupont", "Marie", None), None, id="une-date-inconnue"),
    pytest.param(personne("Martin", "Jean-Pierre"), personne("Martin", "Jean-Marc"), None, id="jumeaux-jean"),
    pytest.param(personne("Benali", "Mohamed Amine"), personne("Benali", "Mohamed Ali"), None, id="jumeaux-mohamed"),
    pytest.param(personne("Dupont", "Marie"), personne("Dupont", "Claire"), None, id="jumelles"),
    pytest.param(personne("Dupont", "Marie"), personne("Dupont", ""), None, id="prenom-manquant"),
    pytest.param(personne("Le Gall", "Yann"), personne("Gall", "Yann"), None, id="particule-otee"),
    pytest.param(personne("Dupont", "Marie"), personne("Marie", "Claire"), None, id="demi-inversion"),
    pytest.param(
        Identite("Dupont", "Martin", "Sophie", NE_LE), personne("Martin", "Claire"), None, id="nom-de-naissance-seul"
    ),
    pytest.param(personne("Marie", "Dupont"), personne("Dupont", "Marie", AUTRE_DATE), None, id="inverses-autre-date"),
    # Contact details: a weak signal on their own, an extra reason on a strong match.
    pytest.param(
        personne("Dupont", "Marie", telephones=(MOBILE,)),
        personne("Durand", "Paul", AUTRE_DATE, telephones=("", FIXE, MOBILE)),
        "faible",
        id="meme-telephone-seul",
    ),
    pytest.param(
        personne("Dupont", "Marie", email="Marie.Dupont@Example.fr"),
        personne("Durand", "Paul", AUTRE_DATE, email=" marie.dupont@example.fr "),
        "faible",
        id="meme-email-casse-differente",
    ),
    pytest.param(
        personne("Dupont", "Marie", telephones=(MOBILE,)),
        personne("Dupont", "Marie", AUTRE_DATE, telephones=(MOBILE,)),
        "faible",
        id="homonymes-meme-telephone",
    ),
    pytest.param(
        personne("Dupont", "Marie", telephones=("",), email=""),
        personne("Durand", "Paul", AUTRE_DATE, telephones=("",), email=""),
        None,
        id="contacts-vides-ignores",
    ),
    pytest.param(
        personne("Dupont", "Marie", telephones=(MOBILE,), email="a@example.fr"),
        personne("Durand", "Paul", telephones=(FIXE,), email="b@example.fr"),
        None,
        id="contacts-differents",
    ),
    pytest.param(
        personne("Dupont", "Marie", telephones=(MOBILE,)),
        personne("Dupont", "Marie", telephones=(MOBILE,)),
        "forte",
        id="forte-et-meme-telephone",
    ),
]


@pytest.mark.parametrize(("a", "b", "force"), CAS)
def test_force_de_la_correspondance(a, b, force):
    # Either side may be the referral: the answer must not depend on the order.
    for premier, second in ((a, b), (b, a)):
        result = comparer(premier, second)
        assert (result.force if result else None) == force


@pytest.mark.parametrize(
    ("texte", "attendu"),
    [
        ("  Éloïse  N’Diaye-Lefèvre ", "eloise n diaye lefevre"),
        ("JEAN-PIERRE", "jean pierre"),
        ("O`Brien, Ste. Croix", "o brien ste croix"),
        ("N‘Diaye", "n diaye"),
        ("Lætitia LECŒUR", "laetitia lecoeur"),
        ("İsmail Großmann", "ismail grossmann"),
        ("", ""),
        (" - ' . ", ""),
    ],
)
def test_normaliser(texte, attendu):
    assert normaliser(texte) == attendu


def test_normaliser_is_idempotent():
    once = normaliser("  Mme  D’Arc-Lefèvre, Jeanne ")
    assert once == "mme d arc lefevre jeanne"
    assert normaliser(once) == once


def test_strong_match_on_birth_name_says_why():
    adressee = personne("Martin", "Sophie")
    connue = Identite("Dupont", "Martin", "Sophie", NE_LE)
    assert comparer(adressee, connue) == Correspondance(
        "forte", ("Même date de naissance", "Nom de naissance de l'un = nom d'usage de l'autre")
    )


def test_strong_match_on_swapped_names_says_why():
    assert comparer(personne("Marie", "Dupont"), personne("Dupont", "Marie")).raisons == (
        "Même date de naissance",
        "Nom et prénom inversés",
    )


def test_strong_match_adds_matching_contacts():
    a = personne("Le Gall", "Yann", telephones=(MOBILE,), email="YANN@example.fr")
    b = personne("Legall", "Yann", telephones=(FIXE, MOBILE), email="yann@example.fr")
    assert comparer(a, b).raisons == (
        "Même date de naissance",
        "Même nom et même prénom",
        "Même téléphone mobile ou fixe",
        "Même adresse email",
    )


def test_weak_match_shows_agreeing_names_as_a_hint_of_a_mistyped_date():
    a = personne("Dupont", "Marie", telephones=(MOBILE,))
    b = personne("Dupont", "Marie", AUTRE_DATE, telephones=(MOBILE,))
    assert comparer(a, b) == Correspondance("faible", ("Même nom et même prénom", "Même téléphone mobile ou fixe"))


def test_weak_match_on_email_alone():
    a = personne("Dupont", "Marie", email="m.dupont@example.fr")
    b = personne("Durand", "Paul", AUTRE_DATE, email="M.Dupont@example.fr")
    assert comparer(a, b) == Correspondance("faible", ("Même adresse email",))
