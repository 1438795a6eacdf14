"""plie.urls and, until the requests' own pages land, a stand-in named ``demandes:detail``: the page the
coordination's notification links to when a veille request says the person cannot come
(parcours.demandes.demander). Once the real namespace exists, this is plie.urls unchanged."""

from django.http import Http404
from django.urls import include, path

from plie.urls import urlpatterns as plie_urlpatterns


def _page_a_venir(request, pk):
    raise Http404("La page des demandes n'existe pas encore.")


urlpatterns = list(plie_urlpatterns)
if not any(getattr(p, "namespace", None) == "demandes" for p in plie_urlpatterns):
    urlpatterns.append(path("demandes/", include(([path("<int:pk>/", _page_a_venir, name="detail")], "demandes"))))
