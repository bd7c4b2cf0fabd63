from django.http import HttpResponse, JsonResponse
from django.templatetags.static import static


def index(request):
    return HttpResponse(f'<h1>django-site</h1><link rel="stylesheet" href="{static("pages/site.css")}">')


def health(request):
    return JsonResponse({"status": "ok"})
