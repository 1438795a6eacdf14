from django.urls import path

from parcours.views import entretiens, signatures
from parcours.views.accueil import premier_rdv, tentative_contact
from parcours.views.cer import contrat, contrat_etape, contrat_pdf, contrat_rediger
from parcours.views.detail import parcours_detail
from parcours.views.diagnostic import diagnostic
from parcours.views.etapes import etape_create, etape_edit, etape_transition
from parcours.views.journal import journal_page
from parcours.views.list import parcours_list
from parcours.views.reaffectation import reaffectation
from parcours.views.transition import parcours_transition

app_name = "parcours"

urlpatterns = [
    path("", parcours_list, name="list"),
    path("<int:pk>/", parcours_detail, name="detail"),
    path("<int:pk>/journal/", journal_page, name="journal"),
    path("<int:pk>/action/<slug:name>/", parcours_transition, name="transition"),
    path("<int:pk>/premier-rendez-vous/", premier_rdv, name="premier_rdv"),
    path("reaffectation/<int:pk>/", reaffectation, name="reaffectation"),
    path("<int:pk>/tentative-de-contact/", tentative_contact, name="tentative_contact"),
    path("<int:pk>/diagnostic/", diagnostic, name="diagnostic"),
    path("<int:pk>/contrat/", contrat, name="contrat"),
    path("<int:pk>/contrat/rediger/", contrat_rediger, name="contrat_rediger"),
    path("<int:pk>/contrat/pdf/", contrat_pdf, name="contrat_pdf"),
    path("<int:pk>/contrat/<slug:etape>/", contrat_etape, name="contrat_etape"),
    path("<int:pk>/etapes/nouvelle/", etape_create, name="etape_create"),
    path("<int:pk>/etapes/<int:etape_pk>/", etape_edit, name="etape_edit"),
    path("<int:pk>/etapes/<int:etape_pk>/<slug:transition>/", etape_transition, name="etape_transition"),
    path("<int:pk>/entretiens/", entretiens.liste, name="entretiens"),
    path("<int:pk>/entretiens/planifier/", entretiens.planifier, name="entretien_planifier"),
    path("<int:pk>/entretiens/<int:rdv>/cloture/", entretiens.clore, name="entretien_clore"),
    # The proof of a held remote entretien, added once the participant's confirmation arrives.
    path("<int:pk>/entretiens/<int:rdv>/preuve/", entretiens.preuve, name="entretien_preuve"),
    path("<int:pk>/contacts/noter/", entretiens.noter_contact, name="contact_noter"),
    # Signatures on screen (parcours.signatures): an entretien's, and a session's émargement.
    path("<int:pk>/entretiens/<int:rdv>/signature/", signatures.signature_entretien, name="entretien_signature"),
    path("ateliers/seances/<int:seance>/signatures/", signatures.signatures_seance, name="seance_signatures"),
    path(
        "ateliers/seances/<int:seance>/signatures/presence/<int:presence>/",
        signatures.signature_presence,
        name="seance_signature_presence",
    ),
    path(
        "ateliers/seances/<int:seance>/signatures/animateur/<int:animateur>/",
        signatures.signature_animateur,
        name="seance_signature_animateur",
    ),
]
