"""Open311 GeoReport v2 (recommendations and feedback only), mounted at /open311/v2/; see ``open311.py``."""

from django.urls import URLPattern, path, re_path

from . import open311

urlpatterns: list[URLPattern] = [
    path("services.json", open311.services_list, name="open311_services"),
    re_path(r"^services/(?P<code>[\w.-]{1,100})\.json$", open311.service_definition, name="open311_service"),
    path("requests.json", open311.requests_view, name="open311_requests"),
    re_path(r"^requests/(?P<request_id>[\w-]{1,40})\.json$", open311.request_detail, name="open311_request"),
]
